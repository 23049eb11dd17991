#!/usr/bin/env python3
"""gen.py - the q-like score, written once for every anchor engine.

busbench's anchors render the same music with other engines: Csound, scsynth in
non-real-time mode, Faust and a plain C loop. They all need the same list of
voices, and this script is the one place that computes it, from the .ph program
itself: it reads the program (only the shape of the q-like score is accepted:
`bpm: N`, `~bus: saw [FREQ] # lpf CUTOFF [Q]`, `out: s "PATTERN" # note
"PATTERN"`), asks `busbench query` for the events of the two patterns (so the
Euclid placement and the chord alternation are the engine's own), and applies
SPEC.md's voice rules with exact fractions:

  - cps = bpm/240, samples per cycle spc = sr/cps, idx(t) = ceil(t * spc);
  - an event [b, e) of the trigger pattern starts at idx(b), lasts idx(e) - idx(b);
  - the note events whose part holds b give the tones (a chord: one voice per
    tone, each at gain 1/sqrt(tones)), frequency FREQ * 2^(note/12);
  - the envelope ramp is min(round(0.002 sr), len/2) samples.

It writes, into the output folder:
  events.txt       the voice list (read by the C and Faust drivers),
  qlike.orc/.sco   Csound (ksmps 64; phasor into `biquad` with the RBJ
                   coefficients, linseg envelope),
  qlike.scsyndef   a SynthDef2 file (LFSaw -> LPF -> * EnvGen -> Out),
  qlike.osc        scsynth's binary non-real-time score (the SynthDef sent by
                   /d_recv at time 0, one /s_new per voice, a final /c_set at
                   the last sample's time: NRT stops after the block of the
                   last command).
Anything outside that shape, an unknown note or chord, or a tool that fails is
an error: a message and exit status 2.
"""
import math
import re
import struct
import subprocess
import sys
from fractions import Fraction

SR = 44100
KSMPS = 64

# Tidal's chord table (the part a q-like score may use).
CHORDS = {
    "major": [0, 4, 7], "maj": [0, 4, 7], "minor": [0, 3, 7], "min": [0, 3, 7],
    "min7": [0, 3, 7, 10], "maj7": [0, 4, 7, 11], "dom7": [0, 4, 7, 10],
    "dim": [0, 3, 6], "aug": [0, 4, 8], "sus2": [0, 2, 7], "sus4": [0, 5, 7],
    "six": [0, 4, 7, 9], "nine": [0, 4, 7, 10, 14],
}
LETTERS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}


def die(msg):
    sys.stderr.write("anchors/gen.py: %s\n" % msg)
    sys.exit(2)


def note_value(tok):
    """Semitones relative to c4 of a note name, number or chord: a list of tones."""
    name, _, chord = tok.partition("'")
    try:
        root = float(name)
    except ValueError:
        m = re.fullmatch(r"([a-g])([sfn#]*)(-?\d+)?", name)
        if not m:
            die("note '%s': not a note name or a number" % tok)
        root = LETTERS[m.group(1)]
        for acc in m.group(2):
            root += {"s": 1, "#": 1, "f": -1, "n": 0}[acc]
        root += (int(m.group(3)) - 4) * 12 if m.group(3) else 0
    if not chord:
        return [float(root)]
    if chord not in CHORDS:
        die("chord '%s' is not in this generator's table" % chord)
    return [float(root + t) for t in CHORDS[chord]]


def query(busbench, pattern, cycles):
    try:
        out = subprocess.run([busbench, "query", pattern, "--cycles", str(cycles)],
                             check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        die("busbench query %r failed: %s" % (pattern, e))
    evs = []
    for line in out.splitlines():
        f = line.split()
        if len(f) != 3:
            die("busbench query %r: unexpected line %r" % (pattern, line))
        evs.append((Fraction(f[0]), Fraction(f[1]), f[2]))
    return evs


def parse_program(path):
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    bpm = None
    bus = None
    out = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("--", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"bpm:\s*([0-9.]+)", line)
        if m:
            bpm = Fraction(m.group(1))
            continue
        m = re.fullmatch(r"~(\w+)\s*:\s*saw(?:\s+([0-9.]+))?\s*#\s*lpf\s+([0-9.]+)(?:\s+([0-9.]+))?", line)
        if m:
            bus = (m.group(1), float(m.group(2) or 261.6256), float(m.group(3)), float(m.group(4) or 0.7071))
            continue
        m = re.fullmatch(r'out\s*:\s*s\s+"([^"]+)"\s*#\s*note\s+"([^"]+)"', line)
        if m:
            out = (m.group(1), m.group(2))
            continue
        die("%s:%d: not part of the q-like shape this generator renders: %r" % (path, n, line))
    if bpm is None or bus is None or out is None:
        die("%s: needs bpm:, one `~bus: saw # lpf` line and `out: s \"...\" # note \"...\"`" % path)
    return bpm, bus, out


def main():
    if len(sys.argv) != 5:
        die("usage: gen.py PROGRAM.ph CYCLES BUSBENCH OUTDIR")
    prog, cycles, busbench, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    bpm, (busname, freq0, cutoff, q), (trig, notes) = parse_program(prog)
    cps = bpm / 240
    spc = Fraction(SR) / cps

    def idx(t):
        return math.ceil(t * spc)

    frames = idx(Fraction(cycles))
    env_max = round(0.002 * SR)
    note_evs = query(busbench, notes, cycles + 1)
    voices = []  # (onset, len, freq, gain, ramp)
    for b, e, val in query(busbench, trig, cycles):
        if val != "~" + busname:
            die("trigger value %r: this generator renders bus ~%s only" % (val, busname))
        o = idx(b)
        length = idx(e) - o
        if length <= 0 or o >= frames:
            continue
        ramp = min(env_max, length // 2)
        tones_at = [note_value(v) for (nb, ne, v) in note_evs if nb <= b < ne]
        if not tones_at:
            tones_at = [[0.0]]
        for tones in tones_at:
            gain = 1.0 / math.sqrt(len(tones))
            for t in tones:
                voices.append((o, length, freq0 * 2.0 ** (t / 12.0), gain, ramp))
    if not voices:
        die("the score has no voice")
    last_end = max(o + n for (o, n, _, _, _) in voices)
    if last_end > frames:
        die("a voice ends after the render (%d > %d samples): not supported" % (last_end, frames))

    with open(outdir + "/events.txt", "w") as f:
        f.write("# busbench anchors: sr frames voices cutoff q, then onset len freq gain ramp\n")
        f.write("%d %d %d %.17g %.17g\n" % (SR, frames, len(voices), cutoff, q))
        for v in voices:
            f.write("%d %d %.17g %.17g %d\n" % v)

    write_csound(outdir, voices, frames, cutoff, q)
    if abs(q - 1 / math.sqrt(2)) > 1e-3:
        die("scsynth's LPF is a Butterworth (q = 0.7071) only; this score has q = %g" % q)
    sdef = synthdef(cutoff)
    with open(outdir + "/qlike.scsyndef", "wb") as f:
        f.write(sdef)
    write_nrt(outdir + "/qlike.osc", sdef, voices, frames)
    sys.stdout.write("anchors/gen.py: %s, %d cycles: %d voices, %d frames, %d voice-samples\n"
                     % (prog, cycles, len(voices), frames, sum(v[1] for v in voices)))


# ---- Csound -------------------------------------------------------------------------------

def write_csound(outdir, voices, frames, cutoff, q):
    """phasor -> 2p-1 -> biquad (RBJ low-pass, computed at i-time) -> linseg ramps."""
    orc = """; generated by harness/anchors/gen.py: the q-like voice
sr = %d
ksmps = %d
nchnls = 1
0dbfs = 1

instr 1
  ifreq = p4
  igain = p5
  iramp = p6 / sr
  iw0 = 2 * $M_PI * %.17g / sr
  ialpha = sin(iw0) / (2 * %.17g)
  icw = cos(iw0)
  ia0 = 1 + ialpha
  ib0 = (1 - icw) / 2 / ia0
  ib1 = (1 - icw) / ia0
  ia1 = -2 * icw / ia0
  ia2 = (1 - ialpha) / ia0
  aph phasor ifreq
  asaw = 2 * aph - 1
  alp biquad asaw, ib0, ib1, ib0, 1, ia1, ia2
  aenv linseg 0, iramp, 1, p3 - 2 * iramp, 1, iramp, 0
  out alp * aenv * igain
endin
""" % (SR, KSMPS, cutoff, q)
    with open(outdir + "/qlike.orc", "w") as f:
        f.write(orc)
    with open(outdir + "/qlike.sco", "w") as f:
        f.write("; generated by harness/anchors/gen.py: one i-statement per voice\n")
        f.write("f 0 %.17g\n" % (frames / SR))
        for (o, n, fr, g, r) in voices:
            f.write("i 1 %.17g %.17g %.17g %.17g %d\n" % (o / SR, n / SR, fr, g, r))
        f.write("e\n")


# ---- scsynth: SynthDef2 and the NRT score ---------------------------------------------------

def pstring(s):
    b = s.encode()
    return struct.pack(">B", len(b)) + b


def synthdef(cutoff):
    """SynthDef2 'bbsaw': Control(freq, amp, ramp, sus) -> LFSaw -> LPF -> * EnvGen(linear
    attack, sustain, release; doneAction 2) -> Out(0)."""
    consts = [0.0, 1.0, cutoff, 2.0, 3.0, -99.0]
    ci = {c: i for i, c in enumerate(consts)}
    params = [("freq", 261.6256), ("amp", 0.5), ("ramp", 0.002), ("sus", 0.1)]
    AR, KR = 2, 1

    def k(v):
        return (-1, ci[v])

    def u(n, out=0):
        return (n, out)
    ugens = [
        ("Control", KR, [], [KR] * len(params), 0),
        ("LFSaw", AR, [u(0, 0), k(1.0)], [AR], 0),          # iphase 1: starts at -1, as 2p-1
        ("LPF", AR, [u(1), k(cutoff)], [AR], 0),
        ("EnvGen", AR, [k(1.0), u(0, 1), k(0.0), k(1.0), k(2.0),      # gate levelScale levelBias timeScale doneAction
                        k(0.0), k(3.0), k(-99.0), k(-99.0),           # init level, 3 segments, no release/loop node
                        k(1.0), u(0, 2), k(1.0), k(0.0),              # to 1 over ramp, linear
                        k(1.0), u(0, 3), k(1.0), k(0.0),              # hold 1 over sus
                        k(0.0), u(0, 2), k(1.0), k(0.0)], [AR], 0),   # to 0 over ramp
        ("BinaryOpUGen", AR, [u(2), u(3)], [AR], 2),        # special 2: multiplication
        ("Out", AR, [k(0.0), u(4)], [], 0),
    ]
    b = b"SCgf" + struct.pack(">iH", 2, 1) + pstring("bbsaw")
    b += struct.pack(">i", len(consts)) + b"".join(struct.pack(">f", c) for c in consts)
    b += struct.pack(">i", len(params)) + b"".join(struct.pack(">f", v) for _, v in params)
    b += struct.pack(">i", len(params))
    for i, (name, _) in enumerate(params):
        b += pstring(name) + struct.pack(">i", i)
    b += struct.pack(">i", len(ugens))
    for name, rate, ins, outs, special in ugens:
        b += pstring(name) + struct.pack(">biih", rate, len(ins), len(outs), special)
        for src, i in ins:
            b += struct.pack(">ii", src, i)
        for r in outs:
            b += struct.pack(">b", r)
    b += struct.pack(">h", 0)  # no variants
    return b


def osc_pad(b):
    return b + b"\0" * (4 - len(b) % 4)


def osc_str(s):
    return osc_pad(s.encode())


def osc_msg(addr, *args):
    tags = ","
    data = b""
    for a in args:
        if isinstance(a, bytes):
            tags += "b"
            data += struct.pack(">i", len(a)) + a + b"\0" * (-len(a) % 4)
        elif isinstance(a, str):
            tags += "s"
            data += osc_str(a)
        elif isinstance(a, int):
            tags += "i"
            data += struct.pack(">i", a)
        else:
            tags += "f"
            data += struct.pack(">f", a)
    return osc_str(addr) + osc_str(tags) + data


def osc_bundle(seconds, msgs):
    t = Fraction(seconds)
    sec = int(t)
    frac = int((t - sec) * (1 << 32))
    b = osc_str("#bundle") + struct.pack(">II", sec, frac)
    for m in msgs:
        b += struct.pack(">i", len(m)) + m
    return struct.pack(">i", len(b)) + b


def write_nrt(path, sdef, voices, frames):
    out = osc_bundle(0, [osc_msg("/d_recv", sdef)])
    for (o, n, fr, g, r) in voices:
        sus = (n - 2 * r) / SR
        out += osc_bundle(Fraction(o, SR), [osc_msg("/s_new", "bbsaw", -1, 0, 0,
                                                   "freq", float(fr), "amp", float(g),
                                                   "ramp", r / SR, "sus", float(sus))])
    # NRT renders through the control block that holds the last command's time: a
    # command at the last sample's time ends the file exactly at `frames` (when frames
    # is a whole number of 64-sample blocks, which run.sh checks).
    out += osc_bundle(Fraction(frames - 1, SR), [osc_msg("/c_set", 0, 0.0)])
    with open(path, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
