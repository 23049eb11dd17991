/* bb_programs.h - the programs of the issues, shared by the render and strategy suites. */
#ifndef BB_PROGRAMS_H
#define BB_PROGRAMS_H

static const char *const BB_PROG_Q =
    "bpm: 120\n"
    "~x: saw 440 # lpf (\"800 <300 500 200 999>\" $ fast \"<3 19 3 3 2 8 9>\")\n"
    "o1: s \"~x(7,17)\" $ stut 3 0.25 0.1 # note \"c4'min7 f3'min7\" # delay 0.334 0.3 # reverb 0.9 0.99\n"
    "o2: s \"bd(4,17)\"\n"
    "o3: s \"808lt(4,17,2)\"\n";

static const char *const BB_PROG_PHONON =
    "bpm: 120\n"
    "~synth $ saw # lpf 800\n"
    "~d1 $ s \"808bd(4,17)\" # n 3 # gain 1\n"
    "~d2 $ s \"808ht(4,17,<2 3 1 2>)\"\n"
    "~d3 $ s \"~synth(3,17,1)\" # note \"<c'min7 g'min7>\"\n";

static const char *const BB_PROG_QLIKE =
    "bpm: 120\n"
    "~x: saw # lpf 800 0.7071\n"
    "out: s \"~x(7,17)\" # note \"c4'min7 f3'min7\"\n";

static const char *const BB_PROG_KICK = "~kick: sine 55 + sine 54.8\nout: s \"~kick ~ ~kick ~\"\n";
static const char *const BB_PROG_BASS = "~bass: saw 55 + saw 55.5\nout: s \"~bass ~bass ~bass*2 ~bass\"\n";
static const char *const BB_PROG_LEAD = "~lead: square 440 + saw 440 * 0.5\nout: s \"~lead ~lead*2\" # note \"<0 7>\"\n";
static const char *const BB_PROG_SNARE = "~snare: square 200 + noise * 0.3\nout: s \"~ ~snare ~ ~snare*2\"\n";
/* dense overlapping chords on a pattern-modulated bus: exercises dedupe, keys, mix order */
static const char *const BB_PROG_DENSE =
    "bpm: 240\n"
    "~x: saw 220 # lpf \"<400 900 1500>\" 2\n"
    "out: s \"~x*16\" # note \"<c4'dom7 e4'min7>\" # gain \"1 0.5 0.25\"\n";
/* for the lanes: one bus at unequal lengths, pitches and onsets, with noise, a
 * sine, pattern arithmetic and a band-pass; a second with a patterned high-pass */
static const char *const BB_PROG_LANES =
    "bpm: 150\n"
    "~v: (sine (\"220 330\" + 110) + noise * 0.1) # bpf \"<900 1400>\" 3\n"
    "~w: square 80 * saw 2 # hpf \"100 200\"\n"
    "o1: s \"~v ~v*3 [~v ~v*2]\" # note \"<0 3 7>\" # gain 0.5\n"
    "o2: s \"~w(5,8)\" # note \"0 12\"\n";
/* a triggered bus that triggers a bus: ~b cannot run in lanes (its own
 * requests of ~a are synthesised inside it), ~a beside it can */
static const char *const BB_PROG_NESTED =
    "bpm: 130\n"
    "~a: saw 220 # lpf \"700 1300\"\n"
    "~b: s \"~a ~a*2\" # note \"0 5\"\n"
    "out: s \"~b ~b*2\" # note \"<0 7>\"\n"
    "o2: s \"~a*4\" # note \"c'maj\"\n";
/* the reload pair: ~x keeps its name, changes its definition */
static const char *const BB_PROG_RELOAD_A = "bpm: 120\n~x: saw 220 # lpf 900\nout: s \"~x*4\" # note \"0 7\"\n";
static const char *const BB_PROG_RELOAD_B = "bpm: 120\n~x: square 220 # lpf 600\nout: s \"~x*4\" # note \"0 7\"\n";
/* Edge programs: each one the smallest program on which a plausible strategy bug changes
 * the bytes or the counters (issue 16's mutation survivors). */
/* a static bus played at microtonal notes: the pitch must enter the key to the bit */
static const char *const BB_PROG_MICRO = "bpm: 120\n~x: saw 220 # lpf 900\nout: s \"~x*4\" # note \"0 0.5 0.25 7\"\n";
/* a bus that triggers a bus: its buffer depends on its onset, so it is not static */
static const char *const BB_PROG_STATIC_IN_BUS =
    "bpm: 120\n~inner: sine 440\n~outer: s \"~inner ~inner*3\"\nout: s \"~outer ~outer\"\n";
/* a pattern-modulated bus (every request its own key) under chords: with max_voices 2
   and short max_bus_seconds it drops and clamps voices */
static const char *const BB_PROG_DISTINCT =
    "bpm: 120\n~x: saw 220 # lpf \"<400 900 1500>\"\nout: s \"~x ~x*2\" # note \"c4'maj7\"\n";
/* reload pairs: one changes the tempo (a bus that is not static: every onset its own key), one changes only a bus that another one refers to
   (the referrer's buffers change with it) and keeps a static bus that nothing changes */
static const char *const BB_PROG_TEMPO_A = "bpm: 120\n~x: saw 220 # lpf \"<400 900>\"\nout: s \"~x*4\"\n";
static const char *const BB_PROG_TEMPO_B = "bpm: 90\n~x: saw 220 # lpf \"<400 900>\"\nout: s \"~x*4\"\n";
static const char *const BB_PROG_REF_A =
    "bpm: 120\n~y: saw 220\n~x: ~y # lpf 900\n~k: sine 55\nout: s \"~x*2 ~k\"\n";
static const char *const BB_PROG_REF_B =
    "bpm: 120\n~y: square 220\n~x: ~y # lpf 900\n~k: sine 55\nout: s \"~x*2 ~k\"\n";

#endif
