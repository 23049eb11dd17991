-- 1025 x 1024 = 1049600 events in one cycle: more than BB_PAT_QUERY_EVENTS_MAX allows
out: s "[bd*1024]*1025"
