#!/usr/bin/python3
"""An independent renderer written from core/SEMANTICS.md (not from the C code).

It does not parse .ph programs or mini-notation: each validated program's graph and
event lists are written out by hand below (`PROGRAMS`), with the events' times as exact
rationals; every sample index, envelope, oscillator, filter, noise bit, hash, delay and
reverb sample is computed by the document's rules. It compares its render with the
golden WAV (float32) and prints the largest absolute difference per program.

Usage: ref_render.py [--golden-dir DIR] [--qlike WAV] [PROGRAM ...]
Exit 1 when a program's difference is 1e-4 or more (or its golden is missing).
Needs Debian's python3-numpy (run it with /usr/bin/python3).
"""
import math
import struct
import sys
from fractions import Fraction as Fr

import numpy as np

F = np.float32
M64 = (1 << 64) - 1

# ---------------------------------------------------------------- math (SEMANTICS 3, 4, 7)

TWO_PI = float.fromhex("0x1.921fb54442d18p+2")


def sin2pi_unit(p):
    """p: float32 array in [0, 1); returns float32 array (section 3)."""
    q = p.astype(np.float64) - 0.5
    a = np.abs(q)
    d = a - 0.25
    b = 0.25 - np.abs(d)
    x = b * TWO_PI
    x2 = x * x
    x4 = x2 * x2
    p01 = -1.0 / 6.0 + x2 * (1.0 / 120.0)
    p23 = -1.0 / 5040.0 + x2 * (1.0 / 362880.0)
    p45 = -1.0 / 39916800.0 + x2 * (1.0 / 6227020800.0)
    s = x + (x * x2) * (p01 + x4 * (p23 + x4 * p45))
    return np.where(q < 0.0, s, -s).astype(F)


FACT = [math.factorial(n) for n in range(20)]
PIO2 = [float.fromhex("0x1.921fb544p+0"), float.fromhex("0x1.0b4611a6p-34"),
        float.fromhex("0x1.3198a2e037073p-69")]
INV_PIO2 = float.fromhex("0x1.45f306dc9c883p-1")
LN2 = float.fromhex("0x1.62e42fefa39efp-1")


def _ksin(r):
    r2 = r * r
    p = 1.0 / FACT[17]
    for n, sg in ((15, -1), (13, 1), (11, -1), (9, 1), (7, -1), (5, 1), (3, -1)):
        p = sg / FACT[n] + r2 * p
    return r + (r * r2) * p


def _kcos(r):
    r2 = r * r
    p = 1.0 / FACT[16]
    for n, sg in ((14, -1), (12, 1), (10, -1), (8, 1), (6, -1), (4, 1), (2, -1)):
        p = sg / FACT[n] + r2 * p
    return 1.0 + r2 * p


def _reduce(x):
    k = float(math.floor(x * INV_PIO2 + 0.5))
    r = ((x - k * PIO2[0]) - k * PIO2[1]) - k * PIO2[2]
    m = int(k - 4.0 * math.floor(k * 0.25))
    return r, m


def bb_sin(x):
    r, m = _reduce(x)
    return (_ksin(r), _kcos(r), -_ksin(r), -_kcos(r))[m]


def bb_cos(x):
    r, m = _reduce(x)
    return (_kcos(r), -_ksin(r), -_kcos(r), _ksin(r))[m]


def bb_exp2(x):
    kd = float(math.floor(x + 0.5))
    t = (x - kd) * LN2
    p = 1.0 / FACT[13]
    for n in range(12, -1, -1):
        p = 1.0 / FACT[n] + t * p
    return math.ldexp(p, int(kd))


# ---------------------------------------------------------------- hashes (SEMANTICS 8, 9)

def H(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def hash_bytes(data, seed):
    h = 0xCBF29CE484222325 ^ seed
    for c in data:
        h = ((h ^ c) * 0x100000001B3) & M64
    return H(h)


# ---------------------------------------------------------------- time (SEMANTICS 1)

class Time:
    def __init__(self, cps, sr=44100, c0=0, s0=0):
        self.cps = Fr(cps)
        self.sr = sr
        self.spc = Fr(sr) / self.cps
        self.c0, self.s0 = Fr(c0), s0

    def idx(self, t):
        return self.s0 + math.ceil((Fr(t) - self.c0) * self.spc)

    def cycle_of(self, k):
        return math.floor(self.c0 + Fr(k - self.s0) / self.spc)


# ---------------------------------------------------------------- units

def osc(shape, freq, ratio, sr):
    """freq: float32 array; ratio: float32; section 3."""
    y = freq.astype(np.float64) * float(ratio) / float(sr) * 4294967296.0
    ok = (y > -2.0 ** 63) & (y < 2.0 ** 63)
    inc = np.where(ok, np.rint(np.where(ok, y, 0.0)), 0.0).astype(np.int64).astype(np.uint64) & np.uint64(0xFFFFFFFF)
    phase = (np.cumsum(inc, dtype=np.uint64) - inc) & np.uint64(0xFFFFFFFF)
    u = (phase >> np.uint64(8)).astype(np.int64)
    if shape == "saw":
        return ((u - (1 << 23)).astype(np.float64) * 2.0 ** -23).astype(F)
    if shape == "square":
        return np.where(u < (1 << 23), F(1), F(-1)).astype(F)
    if shape == "tri":
        return ((float(1 << 24) - 4.0 * np.abs(u - (1 << 23))) * 2.0 ** -24).astype(F)
    if shape == "sine":
        return sin2pi_unit((u.astype(np.float64) * 2.0 ** -24).astype(F))
    raise ValueError(shape)


def biquad_coefs(kind, c, q, sr):
    srd = float(F(sr))
    w0 = TWO_PI * float(c) / srd
    cs = bb_cos(w0)
    alpha = bb_sin(w0) / (2.0 * float(q))
    if kind == "lpf":
        b0, b1, b2 = (1.0 - cs) / 2.0, 1.0 - cs, (1.0 - cs) / 2.0
    elif kind == "hpf":
        b0, b1, b2 = (1.0 + cs) / 2.0, -(1.0 + cs), (1.0 + cs) / 2.0
    else:
        b0, b1, b2 = alpha, 0.0, -alpha
    a0 = 1.0 + alpha
    return (F(b0 / a0), F(b1 / a0), F(b2 / a0), F(-2.0 * cs / a0), F((1.0 - alpha) / a0))


def biquad(kind, x, cut, q, sr):
    """Section 4: clamp, coefficients per (c, q), DF1 in float with the given association."""
    n = len(x)
    cut_hi = F(0.45) * F(sr)
    c = np.where(cut >= F(10), cut, F(10)).astype(F)
    c = np.where(c <= cut_hi, c, cut_hi).astype(F)
    qq = np.where(q >= F(0.1), q, F(0.1)).astype(F)
    qq = np.where(qq <= F(20), qq, F(20)).astype(F)
    co = np.empty((5, n), dtype=F)
    cache = {}
    # per distinct (c, qq) pair
    pairs = np.stack([c.view(np.uint32), qq.view(np.uint32)], axis=1)
    uniq, inv = np.unique(pairs, axis=0, return_inverse=True)
    tab = np.empty((len(uniq), 5), dtype=F)
    for i, (cb, qb) in enumerate(uniq):
        cv = np.array([cb], dtype=np.uint32).view(F)[0]
        qv = np.array([qb], dtype=np.uint32).view(F)[0]
        tab[i] = biquad_coefs(kind, cv, qv, sr)
    co = tab[inv.reshape(-1)].T
    b0, b1, b2, a1, a2 = co
    x1 = np.concatenate([np.zeros(1, F), x[:-1]])
    x2 = np.concatenate([np.zeros(2, F), x[:-2]])[:n]
    t = ((b0 * x + b1 * x1) + b2 * x2).astype(F)
    y = np.empty(n, dtype=F)
    y1 = F(0)
    y2 = F(0)
    if len(uniq) == 1:
        A1, A2 = a1[0], a2[0]
        for i, ti in enumerate(t):
            yy = (ti - A2 * y2) - A1 * y1
            y[i] = yy
            y2 = y1
            y1 = yy
    else:
        for i in range(n):
            yy = (t[i] - a2[i] * y2) - a1[i] * y1
            y[i] = yy
            y2 = y1
            y1 = yy
    return y


def noise(state, n):
    out = np.empty(n, dtype=F)
    x = state
    for i in range(n):
        x ^= x >> 12
        x ^= (x << 25) & M64
        x ^= x >> 27
        r = (x * 0x2545F4914F6CDD1D) & M64
        out[i] = ((r >> 40) - (1 << 23)) * 2.0 ** -23
    return out


def noise_state(node_seed, seed):
    s = H(H(node_seed ^ seed))
    return s if s else 0x9E3779B97F4A7C15


def delay(x, sr, time, fb, mix):
    D = max(1, math.floor(float(F(time)) * float(F(sr)) + 0.5))
    fb, mix = F(fb), F(mix)
    dry = F(1) - mix
    line = [F(0)] * D
    out = np.empty(len(x), dtype=F)
    pos = 0
    for i, xi in enumerate(x):
        wet = line[pos]
        line[pos] = xi + fb * wet
        out[i] = dry * xi + mix * wet
        pos = pos + 1 if pos + 1 < D else 0
    return out


def reverb(x, sr, room, damp, mix):
    combs = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617]
    aps = [556, 441, 341, 225]
    srd = float(F(sr))
    L = lambda t: max(1, math.floor(t * srd / 44100.0 + 0.5))
    cl = [L(t) for t in combs]
    al = [L(t) for t in aps]
    fb = F(room) * F(0.28) + F(0.7)
    d1 = F(damp) * F(0.4)
    d2 = F(1) - d1
    mix = F(mix)
    dry = F(1) - mix
    cb = [[F(0)] * n for n in cl]
    ab = [[F(0)] * n for n in al]
    cp = [0] * 8
    ap = [0] * 4
    st = [F(0)] * 8
    half = F(0.5)
    k015 = F(0.015)
    out = np.empty(len(x), dtype=F)
    for i, xi in enumerate(x):
        xin = xi * k015
        acc = F(0)
        for k in range(8):
            line = cb[k]
            p = cp[k]
            o = line[p]
            s = o * d2 + st[k] * d1
            st[k] = s
            line[p] = xin + s * fb
            acc = acc + o
            cp[k] = p + 1 if p + 1 < cl[k] else 0
        for k in range(4):
            line = ab[k]
            p = ap[k]
            b = line[p]
            line[p] = acc + b * half
            acc = b - acc
            ap[k] = p + 1 if p + 1 < al[k] else 0
        out[i] = dry * xi + mix * acc
    return out


# ---------------------------------------------------------------- patterns (hand-written events)

def seq(cyc, steps):
    """One cycle of a flat sequence: steps is a list of values (None = rest); returns
    (whole_b, whole_e, value) with exact times."""
    n = len(steps)
    return [(cyc + Fr(i, n), cyc + Fr(i + 1, n), v) for i, v in enumerate(steps) if v is not None]


def bjorklund(k, n):
    """SEMANTICS 5, Tidal's bjorklund."""
    x = [[True] for _ in range(k)]
    y = [[False] for _ in range(n - k)]
    i, j = k, n - k
    while min(i, j) > 1:
        if i > j:
            x, y = [x[m] + y[m] for m in range(j)], x[j:]
            i, j = j, i - j
        else:
            x, y = [x[m] + y[m] for m in range(i)], y[i:]
            i, j = i, j - i
    return [b for g in x for b in g] + [b for g in y for b in g]


def euclid(cyc, k, n, v, r=0):
    bits = bjorklund(k, n)
    evs = []
    # rotL by r/n: step s lands at s - r (mod n); query one cycle
    for c in (cyc - 1, cyc, cyc + 1):
        for s, b in enumerate(bits):
            if b:
                wb = c + Fr(s, n) - Fr(r, n)
                if cyc <= wb < cyc + 1:
                    evs.append((wb, wb + Fr(1, n), v))
    return sorted(evs, key=lambda e: (e[0], e[1]))


# ---------------------------------------------------------------- a graph language

class Ctx:
    def __init__(self, tm, k0, n, ratio, seed):
        self.tm, self.k0, self.n, self.ratio, self.seed = tm, k0, n, ratio, seed


def const(v):
    return lambda cx: np.full(cx.n, F(v), dtype=F)


def num(v):  # a number node of an expression (a double literal to float)
    return const(float(v))


def O(shape, f=261.6256):
    fs = f if callable(f) else num(f)
    return lambda cx: osc(shape, fs(cx), cx.ratio, cx.tm.sr)


def add(a, b):
    return lambda cx: (a(cx) + b(cx)).astype(F)


def mul(a, b):
    return lambda cx: (a(cx) * b(cx)).astype(F)


def filt(kind, x, cut, q=0.7071):
    cs = cut if callable(cut) else num(cut)
    qs = q if callable(q) else num(q)
    return lambda cx: biquad(kind, x(cx), cs(cx), qs(cx), cx.tm.sr)


def noise_node(line, col):
    ns = H((line << 32) | col)
    return lambda cx: noise(noise_state(ns, cx.seed), cx.n)


def patsig(events_of_cycle):
    """Section 5: per cycle, events (part_b, part_e, value) in canonical order; the first
    covering event wins."""
    def run(cx):
        tm = cx.tm
        out = np.zeros(cx.n, dtype=F)
        k1 = cx.k0 + cx.n
        c = tm.cycle_of(cx.k0)
        while tm.idx(c) < k1:
            evs = events_of_cycle(c)
            for (pb, pe, v) in reversed(evs):
                lo, hi = max(tm.idx(pb), cx.k0), min(tm.idx(pe), k1)
                if lo < hi:
                    out[lo - cx.k0:hi - cx.k0] = F(v)
            c += 1
        return out
    return run


def fx_delay(x, time, fb, mix=0.5):
    return lambda cx: delay(x(cx), cx.tm.sr, time, fb, mix)


def fx_reverb(x, room, damp, mix=0.5):
    return lambda cx: reverb(x(cx), cx.tm.sr, room, damp, mix)


class Bus:
    def __init__(self, name, def_text, graph, static, refs=()):
        self.name, self.def_text, self.graph, self.static, self.refs = name, def_text, graph, static, refs

    def base(self):
        return hash_bytes(self.def_text.encode(), hash_bytes(self.name.encode(), 0))


def def_id(bus, tm):
    h = bus.base()
    for t in bus.refs:
        h = (h + H(t.base())) & M64
    h = H(h ^ H(tm.sr))
    if not bus.static:
        c = tm.cps
        tmv = [c.numerator, c.denominator, tm.c0.numerator, tm.c0.denominator, tm.s0, 0]
        h = hash_bytes(b"".join(struct.pack("<Q", v & M64) for v in tmv), h)
    return h


_bufcache = {}


def synth(bus, tm, onset, length, note):
    key = (def_id(bus, tm), length, note, None if bus.static else onset)  # what the bits depend on
    if key in _bufcache:
        return _bufcache[key]
    ratio = F(bb_exp2(note / 12.0))
    seed = H(def_id(bus, tm) ^ H(onset & M64))
    buf = bus.graph(Ctx(tm, onset, length, ratio, seed))
    _bufcache[key] = buf
    return buf


def mix_into(cx, out, o, contrib):
    """Add one voice (canonical order is the call order) or hand it to a collector."""
    if getattr(cx, "collect", None) is not None:
        cx.collect.append((o, contrib))
        return
    lo = o - cx.k0
    n = len(contrib)
    a, b = max(lo, 0), min(lo + n, cx.n)
    if a < b:
        out[a:b] += contrib[a - lo:b - lo]


def trig(trig_events, note_events=None, gain_events=None, max_voices=256):
    """Section 6. trig_events(c): list of (whole_b, whole_e, text, bus, hap_gain) with an onset,
    in canonical order; note_events(c) / gain_events(c): lists of (part_b, part_e, value)
    where value is a number or ('chord', root, intervals), in canonical order."""
    def run(cx):
        tm = cx.tm
        out = np.zeros(cx.n, dtype=F)
        env_max = int(math.floor(0.002 * tm.sr + 0.5))
        bus_max = int(math.floor(10.0 * tm.sr + 0.5))
        voices = []
        c = tm.cycle_of(cx.k0)
        while tm.idx(c) < cx.k0 + cx.n and c < getattr(cx, "end_cycle", 1 << 62):
            for (wb, we, text, bus, hg) in trig_events(c):
                o = tm.idx(wb)
                ev_len = tm.idx(we) - o
                if ev_len <= 0:
                    continue
                gain = hg
                for (pb, pe, v) in (gain_events(c) if gain_events else []):
                    if pb <= wb < pe:
                        gain = hg * v
                        break
                notes = [ne for ne in (note_events(c) if note_events else []) if ne[0] <= wb < ne[1]]
                tones = []
                if not notes:
                    tones.append((0.0, 1))
                for (_, _, v) in notes:
                    if isinstance(v, tuple):
                        _, root, iv = v
                        tones += [(root + i, len(iv)) for i in iv]
                    else:
                        tones.append((float(v), 1))
                length = min(ev_len, bus_max)
                for note, T in tones:
                    cg = 1.0 / math.sqrt(float(T))
                    a = min(length // 2, env_max)
                    voices.append(dict(o=o, len=length, a=a, rel_at=length - a, lvl=F(1), end=o + length,
                                       g=F(gain * cg), src=synth(bus, tm, o, length, note), dropped=False))
                    # the voice limit (not reached by the validated programs; checked)
                    held = [w for w in voices[:-1] if w["end"] > o and not w["dropped"]]
                    assert len(held) < max_voices
            c += 1
        for v in voices:  # canonical order
            a, rel_at, g = v["a"], v["rel_at"], v["g"]
            n = v["end"] - v["o"]
            src = v["src"][:n]
            j = np.arange(n)
            fa = F(a)
            contrib = np.empty(n, dtype=F)
            at = min(a, rel_at)
            if at > 0:
                contrib[:at] = (src[:at] * (j[:at].astype(F) / fa)) * g
            contrib[at:rel_at] = src[at:rel_at] * g
            if rel_at < n:
                jr = j[rel_at:]
                contrib[rel_at:] = (src[rel_at:] * (v["lvl"] * ((rel_at + a - jr).astype(F) / fa))) * g
            mix_into(cx, out, v["o"], contrib)
        return out
    return run


def bus_trig(bus, pattern_of_cycle, text):
    return lambda c: [(wb, we, text, bus, 1.0) for (wb, we, _) in pattern_of_cycle(c)]


# ---------------------------------------------------------------- the programs

def prog_chords():
    tm = Time(Fr(3, 2))
    x = Bus("x", "saw 110 + tri 220.5 * 0.5 # lpf 2200",
            filt("lpf", add(O("saw", 110), mul(O("tri", 220.5), num(0.5))), 2200), True)
    o1 = trig(bus_trig(x, lambda c: seq(c, ["~x"] * 16), "~x"),
              note_events=lambda c: [(Fr(c), Fr(c + 1), ("chord", 0.0, [0, 4, 7, 10]))])
    return tm, 12, o1


def prog_static():
    tm = Time(Fr(132, 240))
    kick = Bus("kick", "sine 55 + sine 54.8", add(O("sine", 55), O("sine", 54.8)), True)
    pad = Bus("pad", "saw 220 + saw 220.7 # lpf 1400 1.5",
              filt("lpf", add(O("saw", 220), O("saw", 220.7)), 1400, 1.5), True)
    wob = Bus("wob", "square 110 * (sine 3 * 0.5 + 0.5) # lpf 900",
              filt("lpf", mul(O("square", 110), add(mul(O("sine", 3), num(0.5)), num(0.5))), 900), True)
    o1 = trig(bus_trig(kick, lambda c: seq(c, ["~kick"] * 4), "~kick"),
              gain_events=lambda c: [(Fr(c), Fr(c + 1), 0.8)])
    o2 = trig(bus_trig(pad, lambda c: euclid(c, 3, 8, "~pad"), "~pad"),
              note_events=lambda c: [(Fr(c), Fr(c + 1), [0, 5, 7, 3][c % 4])],
              gain_events=lambda c: [(Fr(c), Fr(c + 1), 0.3)])

    def wob_events(c):  # "[~wob ~wob]*2 ~ ~wob": 4 events in the first third, one in the last
        return [(c + Fr(i, 12), c + Fr(i + 1, 12), "~wob") for i in range(4)] + [(c + Fr(2, 3), Fr(c + 1), "~wob")]
    o3 = trig(bus_trig(wob, wob_events, "~wob"),
              note_events=lambda c: seq(c, [0, 12, 7]),
              gain_events=lambda c: [(Fr(c), Fr(c + 1), 0.4)])
    return tm, 4, add(add(o1, o2), o3)


def prog_qlike():
    tm = Time(Fr(120, 240))
    x = Bus("x", "saw # lpf 800 0.7071", filt("lpf", O("saw"), 800, 0.7071), True)
    o = trig(bus_trig(x, lambda c: euclid(c, 7, 17, "~x"), "~x"),
             note_events=lambda c: [(Fr(c), c + Fr(1, 2), ("chord", 0.0, [0, 3, 7, 10])),
                                    (c + Fr(1, 2), Fr(c + 1), ("chord", -7.0, [0, 3, 7, 10]))])
    return tm, 4, o


def prog_noise():
    tm = Time(Fr(140, 240))
    # noise word positions (line, column) in golden/noise.ph
    hat = Bus("hat", "noise # hpf 7000 2", filt("hpf", noise_node(6, 7), 7000, 2), False)
    snare = Bus("snare", "(noise # bpf 1800 0.8) + tri 190 * 0.5",
                add(filt("bpf", noise_node(7, 10), 1800, 0.8), mul(O("tri", 190), num(0.5))), False)
    wash = Bus("wash", 'noise # lpf "300 600 1200 2400" 3',
               filt("lpf", noise_node(8, 8), patsig(lambda c: seq(c, [300, 600, 1200, 2400])), 3), False)
    o1 = trig(bus_trig(hat, lambda c: seq(c, ["~hat"] * 8), "~hat"),
              gain_events=lambda c: seq(c, [0.5, 0.25]))

    def snare_events(c):  # "~ ~snare ~ [~snare ~snare]"
        return [(c + Fr(1, 4), c + Fr(2, 4), "~snare"), (c + Fr(6, 8), c + Fr(7, 8), "~snare"),
                (c + Fr(7, 8), Fr(c + 1), "~snare")]
    o2 = trig(bus_trig(snare, snare_events, "~snare"), gain_events=lambda c: [(Fr(c), Fr(c + 1), 0.6)])

    def wash_events(c):  # "~wash/2": whole [2m, 2m+2), an onset in even cycles only
        return [(Fr(c), Fr(c + 2), "~wash")] if c % 2 == 0 else []
    o3 = trig(bus_trig(wash, wash_events, "~wash"), gain_events=lambda c: [(Fr(c), Fr(c + 1), 0.2)])
    o4 = mul(filt("hpf", noise_node(12, 6), 9000), num(0.02))
    return tm, 4, add(add(add(o1, o2), o3), o4)


def prog_continuous():
    tm = Time(Fr(100, 240))
    p1 = patsig(lambda c: seq(c, [110, 165, [220, 330, 247.5][c % 3]]))
    o1 = mul(filt("lpf", O("saw", p1), add(mul(O("sine", 0.25), num(900)), num(1300)), 4), num(0.3))
    p2 = patsig(lambda c: seq(c, [55, 82.5]))
    o2 = fx_delay(filt("hpf", mul(O("square", p2), add(mul(O("tri", 0.5), num(0.1)), num(0.1))), 200),
                  0.3, 0.5, 0.4)
    p3 = patsig(lambda c: seq(c, [440, 660, 550, 880]))
    o3 = fx_reverb(mul(O("sine", add(p3, mul(O("sine", 5), num(6)))), num(0.1)), 0.8, 0.3, 0.5)
    return tm, 4, add(add(o1, o2), o3)


# ---------------------------------------------------------------- the drum kit (SEMANTICS 10)

DRUMS = {  # name: (idx, secs, f0, f1, sweep, amp, hl, f2, amp2, hl2, noise, cut, q, namp, nhl, clap)
    "bd": (0, 0.45, 160.0, 50.0, 0.020, 1.0, 0.080, 0.0, 0.0, 0.0, "lpf", 3000.0, 0.7071, 0.15, 0.003, 0),
    "sn": (1, 0.30, 220.0, 180.0, 0.010, 0.5, 0.040, 0.0, 0.0, 0.0, "hpf", 1500.0, 0.7071, 0.8, 0.050, 0),
    "hh": (2, 0.12, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "hpf", 7000.0, 0.7071, 1.0, 0.015, 0),
    "oh": (3, 0.60, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "hpf", 6500.0, 0.7071, 1.0, 0.120, 0),
    "cp": (4, 0.35, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "bpf", 1200.0, 1.5, 1.0, 0.050, 3),
    "808bd": (5, 1.20, 110.0, 45.0, 0.030, 1.0, 0.250, 0.0, 0.0, 0.0, None, 0, 0, 0, 0, 0),
    "808sd": (6, 0.35, 238.0, 238.0, 0.010, 0.6, 0.050, 476.0, 0.3, 0.030, "hpf", 2000.0, 0.7071, 0.7, 0.060, 0),
    "808ht": (7, 0.60, 240.0, 200.0, 0.050, 1.0, 0.120, 0.0, 0.0, 0.0, None, 0, 0, 0, 0, 0),
    "808mt": (8, 0.70, 180.0, 150.0, 0.050, 1.0, 0.140, 0.0, 0.0, 0.0, None, 0, 0, 0, 0, 0),
    "808lt": (9, 0.80, 130.0, 105.0, 0.050, 1.0, 0.160, 0.0, 0.0, 0.0, None, 0, 0, 0, 0, 0),
}
PITCH = [1.0, 0.9, 1.12, 0.8]
DECAY = [1.0, 1.25, 0.8, 1.5]
_kit = {}


def kit_sample(name, n, sr):
    v = int(math.floor(n)) % 4
    key = (name, v, sr)
    if key in _kit:
        return _kit[key]
    (idx, secs, f0, f1, sweep, amp, hl, f2, amp2, hl2, nk, cut, q, namp, nhl, clap) = DRUMS[name]
    P, D = PITCH[v], DECAY[v]
    secs = min(max(secs * D, 0.05), 1.5)
    frames = max(1, int(math.floor(secs * sr + 0.5)))
    x = np.zeros(frames, dtype=F)
    dfac = lambda h: bb_exp2(-1.0 / (h * sr))

    def tone(f0, f1, sweep, amp, hl):
        sk, ek = dfac(sweep), dfac(hl)
        g, env, ph = 1.0, amp, 0.0
        phs = np.empty(frames, dtype=F)
        envs = np.empty(frames)
        for i in range(frames):
            phs[i] = ph
            envs[i] = env
            f = f1 + (f0 - f1) * g
            ph = ph + f / sr
            ph = ph - math.floor(ph)
            g = g * sk
            env = env * ek
        return (x + (envs * sin2pi_unit(phs).astype(np.float64)).astype(F)).astype(F)
    if amp > 0:
        x = tone(f0 * P, f1 * P, sweep, amp, hl * D)
    if amp2 > 0:
        x = tone(f2 * P, f2 * P, 1.0, amp2, hl2 * D)
    if nk:
        s = H(0x6B697400 + 16 * idx + v)
        y = biquad(nk, noise(s if s else 0x9E3779B97F4A7C15, frames), np.full(frames, F(cut * P)),
                   np.full(frames, F(q)), sr)
        bk, tk = dfac(0.004), dfac(nhl * D)
        gap = int(math.floor(0.011 * sr + 0.5))
        tail_at = gap * clap if clap else 0
        env = namp
        envs = np.empty(frames)
        for i in range(frames):
            if clap and i <= tail_at and gap > 0 and i % gap == 0:
                env = namp
            envs[i] = env
            env = env * (bk if i < tail_at else tk)
        x = (x + (envs * y.astype(np.float64)).astype(F)).astype(F)
    fade = max(1, int(math.floor(0.005 * sr + 0.5)))
    fade = min(fade, frames // 4)
    for i in range(fade):
        x[frames - 1 - i] = x[frames - 1 - i] * F(i / fade)
    peak = np.max(np.abs(x))
    if peak > 0:
        x = (x * F(0.9 / float(peak))).astype(F)
    _kit[key] = x
    return x


def sample_trig(events, n_events=None, note_events=None, gain_events=None):
    """Section 6 for sample voices; events(c): (whole_b, whole_e, name, index) in canonical order."""
    def run(cx):
        tm = cx.tm
        out = np.zeros(cx.n, dtype=F)
        env_max = int(math.floor(0.002 * tm.sr + 0.5))
        c = tm.cycle_of(cx.k0)
        while tm.idx(c) < cx.k0 + cx.n and c < getattr(cx, "end_cycle", 1 << 62):
            for (wb, we, name, index) in events(c):
                o = tm.idx(wb)
                if tm.idx(we) - o <= 0:
                    continue
                at_b = lambda evs: [e for e in (evs(c) if evs else []) if e[0] <= wb < e[1]]
                gain = 1.0
                g = at_b(gain_events)
                if g:
                    gain = gain * g[0][2]
                n = float(index)
                nn = at_b(n_events)
                if nn:
                    n = float(nn[0][2])
                data = kit_sample(name, n, tm.sr)
                frames = len(data)
                notes = at_b(note_events)
                note = float(notes[0][2]) if notes else 0.0
                rate = (float(tm.sr) / float(tm.sr)) * bb_exp2(note / 12.0)
                length = math.ceil((frames - 1) / rate)
                j = np.arange(length)
                if rate == 1.0:
                    src = data[:length]
                else:
                    pos = j.astype(np.float64) * rate
                    si = np.minimum(np.floor(pos).astype(np.int64), frames - 2)
                    fr = (pos - si).astype(F)
                    src = (data[si] + (data[si + 1] - data[si]) * fr).astype(F)
                a = min(length // 2, env_max)
                rel_at = length - a
                gv = F(gain * 1.0)
                fa = F(a)
                contrib = np.empty(length, dtype=F)
                contrib[:a] = (src[:a] * (j[:a].astype(F) / fa)) * gv
                contrib[a:rel_at] = src[a:rel_at] * gv
                contrib[rel_at:] = (src[rel_at:] * (F(1) * ((rel_at + a - j[rel_at:]).astype(F) / fa))) * gv
                mix_into(cx, out, o, contrib)
            c += 1
        return out
    return run


def prog_samples():
    tm = Time(Fr(124, 240))

    def e1(c):
        return [(c + Fr(i, 8), c + Fr(i + 1, 8), "bd", 0) for i in range(4)] + \
               [(c + Fr(1, 2), c + Fr(3, 4), "sn", 0), (c + Fr(3, 4), Fr(c + 1), "cp", 0)]
    o1 = sample_trig(e1, n_events=lambda c: [(Fr(c), Fr(c + 1), c % 4)])
    o2 = sample_trig(lambda c: [(b, e, "hh", 0) for (b, e, _) in seq(c, ["hh"] * 8)],
                     note_events=lambda c: seq(c, [0, 12, 7, -5]), gain_events=lambda c: seq(c, [1, 0.6]))
    o3 = sample_trig(lambda c: [(b, e, nm, ix) for (b, e, (nm, ix)) in
                                seq(c, [("808bd", 2), ("808sd", 0), ("808mt", 0), ("808lt", 0)])],
                     note_events=lambda c: [(Fr(c), Fr(c + 1), [0, 3, -2][c % 3])])

    def e4(c):  # "oh(3,8,2) [808ht 808ht:1]": oh at eighths 1, 4, 6 of the first half
        return [(c + Fr(s, 16), c + Fr(s + 1, 16), "oh", 0) for s in (1, 4, 6)] + \
               [(c + Fr(1, 2), c + Fr(3, 4), "808ht", 0), (c + Fr(3, 4), Fr(c + 1), "808ht", 1)]
    o4 = sample_trig(e4, n_events=lambda c: seq(c, [1, 2]), note_events=lambda c: seq(c, [-7, 5]))
    return tm, 6, add(add(add(o1, o2), o3), o4)



def prog_reload_parts(which, tm):
    if which == "a":
        lead = Bus("lead", "sine 330 * 0.5", mul(O("sine", 330), num(0.5)), True)
        pad = Bus("pad", 'tri 110 # lpf "600 1200"', filt("lpf", O("tri", 110), patsig(lambda c: seq(c, [600, 1200]))), False)
    else:
        lead = Bus("lead", "(saw 330 # lpf 1000) * 0.5", mul(filt("lpf", O("saw", 330), 1000), num(0.5)), True)
        pad = Bus("pad", 'tri 110 # lpf "900 1800"', filt("lpf", O("tri", 110), patsig(lambda c: seq(c, [900, 1800]))), False)
    t1 = trig(bus_trig(lead, lambda c: seq(c, ["~lead"] * 4), "~lead"),
              note_events=lambda c: [(Fr(c), Fr(c + 1), [0, 7][c % 2])])
    t2 = trig(bus_trig(pad, lambda c: [(Fr(c), Fr(c + 2), "~pad")] if c % 2 == 0 else [], "~pad"))
    t3 = sample_trig(lambda c: [(b, e, "hh", 0) for (b, e, _) in seq(c, ["hh"] * 8)],
                     gain_events=lambda c: [(Fr(c), Fr(c + 1), 0.3)])
    return [t1, t2, t3]


def render_reload():
    """Section 14: reload_a, then reload_b from cycle 3; 6 cycles."""
    ta = Time(Fr(1, 2))
    s0 = ta.idx(3)
    tb = Time(Fr(1, 2), c0=3, s0=s0)
    frames = tb.idx(6)
    ta_trigs = prog_reload_parts("a", ta)
    tb_trigs = prog_reload_parts("b", tb)
    out = np.zeros(frames, dtype=F)
    # before the switch: the old program's graph ((o1 + o2) + o3)
    cx = Ctx(ta, 0, s0, F(1), 0)
    cx.end_cycle = 3
    a = [t(cx) for t in ta_trigs]
    out[:s0] = ((a[0] + a[1]) + a[2]).astype(F)
    # after: the new graph, plus the old voices mixed dry into one buffer
    cx = Ctx(tb, s0, frames - s0, F(1), 0)
    b = [t(cx) for t in tb_trigs]
    new = ((b[0] + b[1]) + b[2]).astype(F)
    tail = np.zeros(frames - s0, dtype=F)
    cx = Ctx(ta, 0, frames, F(1), 0)
    cx.end_cycle = 3
    for t in ta_trigs:
        cx.collect = []
        t(cx)
        tcx = Ctx(ta, s0, frames - s0, F(1), 0)
        for (o, contrib) in cx.collect:
            mix_into(tcx, tail, o, contrib)
    out[s0:] = (new + tail).astype(F)
    return out


PROGRAMS = {"chords": prog_chords, "static": prog_static, "qlike": prog_qlike,
            "noise": prog_noise, "continuous": prog_continuous,
            "samples": prog_samples, "reload": None}


def render(name):
    if name == "reload":
        return render_reload()
    tm, cycles, graph = PROGRAMS[name]()
    frames = tm.idx(cycles)
    return graph(Ctx(tm, 0, frames, F(1), 0))


def read_wav_f32(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", path
    pos = 12
    fmt = None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        if cid == b"data":
            assert fmt and fmt[0] == 3 and fmt[1] == 1 and fmt[5] == 32, ("expected mono float32", fmt)
            return np.frombuffer(body, dtype="<f4").astype(F)
        pos += 8 + size + (size & 1)
    raise ValueError("no data chunk in " + path)


def main(argv):
    gdir = "golden"
    qlike = "/tmp/semantics-qlike.wav"
    names = []
    i = 0
    while i < len(argv):
        if argv[i] == "--golden-dir":
            gdir = argv[i + 1]
            i += 2
        elif argv[i] == "--qlike":
            qlike = argv[i + 1]
            i += 2
        else:
            names.append(argv[i])
            i += 1
    names = names or ["chords", "static", "qlike", "noise", "continuous", "samples", "reload"]
    bad = 0
    for name in names:
        path = qlike if name == "qlike" else "%s/%s.wav" % (gdir, name)
        try:
            want = read_wav_f32(path)
        except OSError as e:
            print("%-11s golden missing: %s" % (name, e))
            bad += 1
            continue
        got = render(name)
        if len(got) != len(want):
            print("%-11s length %d, golden %d" % (name, len(got), len(want)))
            bad += 1
            continue
        diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
        m = float(diff.max())
        at = int(diff.argmax())
        exact = int(np.count_nonzero(got.view(np.uint32) == want.view(np.uint32)))
        ok = m < 1e-4
        bad += not ok
        print("%-11s frames %7d  max |diff| %.3e (at sample %d)  bit-identical samples %.4f%%  %s"
              % (name, len(got), m, at, 100.0 * exact / len(got), "ok" if ok else "FAIL"))
        sys.stdout.flush()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
