#!/usr/bin/env python3
"""scaling.py: time and memory of `strata geometry` against N, exact and with landmarks.

    python3 bench/scaling.py [--strata build/native/native_trainer/strata] [--exact 300,600,1000,1500,2000]
                             [--landmarks 1000,2000,5000,10000] [--m 500] [--workdir /tmp/strata-scaling]
                             [--svg docs/img/scaling.svg]

Index: 1. latents (synthetic, written once per N)  2. one timed run  3. the fitted exponent
       4. the table and the plot

For each N it writes one clean and two noisy sets (sigma 0.05 and 0.1) of synthetic 64x7x7 latents
(reference_geometry.synthetic: ReLU of a random low-rank product, seed 7) and runs the whole
`strata geometry` process on them, exact for the --exact sizes and with --landmarks M for the
--landmarks sizes. Per run it reports the process's CPU time (user + system, from the kernel's
rusage of the child, which a busy machine disturbs far less than the wall clock), the wall clock
and the peak resident memory. The exponent b of time ~ a N^b (and of memory) is the least-squares
slope of log time against log N over each series, and between its two largest sizes (where the
fixed costs of a small run weigh least). Markdown on stdout; an SVG log-log plot with
--svg. Debian's /usr/bin/python3 (numpy) only.
"""
import argparse
import math
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_geometry  # noqa: E402  (the synthetic latents of the other benchmarks)


# 1. Latents --------------------------------------------------------------------------------------
def latents(n, workdir):
    folder = os.path.join(workdir, "n%d" % n)
    names = ["clean.npy", "sigma_0.05.npy", "sigma_0.1.npy"]
    if all(os.path.exists(os.path.join(folder, f)) for f in names):
        return folder
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(7)
    base, clean = reference_geometry.synthetic(n, (64, 7, 7), 0.0, rng)
    sets = [clean] + [reference_geometry.synthetic(n, None, s, rng, base)[1] for s in (0.05, 0.1)]
    for name, z in zip(names, sets):
        tmp = os.path.join(folder, name + ".tmp.npy")
        np.save(tmp, z)
        os.replace(tmp, os.path.join(folder, name))
    return folder


# 2. One timed run --------------------------------------------------------------------------------
def run(strata, folder, landmarks, workdir):
    out = os.path.join(workdir, "result.json")
    cmd = [strata, "geometry", "--clean", os.path.join(folder, "clean.npy"),
           "--noisy", "0.05=" + os.path.join(folder, "sigma_0.05.npy"),
           "--noisy", "0.1=" + os.path.join(folder, "sigma_0.1.npy"), "--quiet", "--out", out]
    if landmarks:
        cmd += ["--landmarks", str(landmarks)]
    log = os.path.join(workdir, "stderr.txt")
    with open(log, "wb") as err:  # a file, not a pipe: a chatty child cannot block on a full pipe
        start = time.monotonic()
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
    if status != 0:
        with open(log, errors="replace") as f:
            sys.exit("%s failed (status %d): %s" % (" ".join(cmd), status, f.read().strip()))
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall, "rss_mb": usage.ru_maxrss / 1024.0}


# 3. The fitted exponent --------------------------------------------------------------------------
def exponent(ns, values):
    if len(ns) < 2:
        return float("nan")
    x, y = np.log(np.asarray(ns, float)), np.log(np.asarray(values, float))
    return float(np.polyfit(x, y, 1)[0])


# 4. The table and the plot -----------------------------------------------------------------------
def svg(series, path):
    """Log-log plot of CPU seconds (solid) and peak MB (dashed) against N for each series."""
    w, h, left, right, top, bottom = 640, 400, 70, 150, 20, 50
    pts = [(n, r[k]) for s in series.values() for n, r in s for k in ("cpu", "rss_mb")]
    xs = [math.log10(n) for n, _ in pts]
    ys = [math.log10(v) for _, v in pts]
    x0, x1 = math.floor(min(xs) * 2) / 2, math.ceil(max(xs) * 2) / 2
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
    px = lambda v: left + (math.log10(v) - x0) / (x1 - x0) * (w - left - right)
    py = lambda v: h - bottom - (math.log10(v) - y0) / (y1 - y0) * (h - top - bottom)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="12">' % (w, h), '<rect width="100%" height="100%" fill="white"/>']
    for e in range(int(y0), int(y1) + 1):
        y = py(10.0 ** e)
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (left, w - right, y, y))
        out.append('<text x="%d" y="%.1f" text-anchor="end">1e%d</text>' % (left - 6, y + 4, e))
    last_label = -1e9
    for n in sorted({n for s in series.values() for n, _ in s}):
        x = px(n)
        out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/>' % (x, x, top, h - bottom))
        if x - last_label >= 40:  # labels that would touch the previous one are left out
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (x, h - bottom + 16, n))
            last_label = x
    out.append('<text x="%d" y="%d" text-anchor="middle">N (latents per set)</text>' % ((left + w - right) / 2, h - 10))
    out.append('<text x="16" y="%d" transform="rotate(-90 16 %d)" text-anchor="middle">CPU s (solid), '
               'peak MB (dashed)</text>' % (h / 2, h / 2))
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    for i, (label, s) in enumerate(series.items()):
        c = colours[i % len(colours)]
        for key, dash in (("cpu", ""), ("rss_mb", ' stroke-dasharray="5,4"')):
            line = " ".join("%.1f,%.1f" % (px(n), py(r[key])) for n, r in s)
            out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>' % (line, c, dash))
            for n, r in s:
                out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (px(n), py(r[key]), c))
        out.append('<text x="%d" y="%d" fill="%s">%s</text>' % (w - right + 10, top + 16 + 18 * i, c, label))
    out.append("</svg>")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out) + "\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--strata", default="build/native/native_trainer/strata")
    ap.add_argument("--exact", default="300,600,1000,1500,2000")
    ap.add_argument("--landmarks", default="1000,2000,5000,10000")
    ap.add_argument("--m", type=int, default=500, help="landmarks M of the --landmarks series")
    ap.add_argument("--workdir", default="/tmp/strata-scaling")
    ap.add_argument("--svg")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    plan = [("exact", int(n), 0) for n in a.exact.split(",") if n] + \
           [("landmarks M = %d" % a.m, int(n), a.m) for n in a.landmarks.split(",") if n]
    series = {}
    print("| series | N | CPU (user + system) | wall | peak RSS |")
    print("| --- | --- | --- | --- | --- |")
    for label, n, m in plan:
        r = run(a.strata, latents(n, a.workdir), m, a.workdir)
        series.setdefault(label, []).append((n, r))
        print("| %s | %d | %.2f s | %.2f s | %.0f MB |" % (label, n, r["cpu"], r["wall"], r["rss_mb"]), flush=True)
    print()
    print("| series | exponent of CPU time: all sizes / last two | exponent of peak memory: all / last two |")
    print("| --- | --- | --- |")
    for label, s in series.items():
        ns, cpu, rss = [n for n, _ in s], [r["cpu"] for _, r in s], [r["rss_mb"] for _, r in s]
        print("| %s | %.2f / %.2f | %.2f / %.2f |" % (label, exponent(ns, cpu), exponent(ns[-2:], cpu[-2:]),
                                                      exponent(ns, rss), exponent(ns[-2:], rss[-2:])))
    if a.svg:
        svg(series, a.svg)


if __name__ == "__main__":
    main()
