-- a bus whose frequency pattern asks for 2,000,000 events a cycle: refused while synthesising
~x: saw "[100 200]*1000000"
out: s "~x*4"
