-- a valid program: the base of the option and output cases
~kick: sine 55
out: s "~kick ~ bd ~"
