-- the output graph fails at its second cycle: 1025 x 1024 = 1049600 events of the lpf pattern,
-- more than BB_PAT_QUERY_EVENTS_MAX; a pipelined render fails there as the serial one does
bpm: 120
~x: saw 220
out: s "~x(3,8)" + saw 110 # lpf "<300 [[300*1024]*1025]>"
