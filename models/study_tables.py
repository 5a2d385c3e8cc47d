#!/usr/bin/env python3
"""study_tables.py: Markdown tables for docs/study.md from `strata characterize` results.

    python3 models/study_tables.py RESULT.json [RESULT2.json ...] > tables.md

Each RESULT is one characterize run (e.g. one per --vae-latent mode). Per model and run it prints:
PSNR, strata, Hilbert dimensionality and principal angles against sigma; the rank histogram of
each mode at sigma 0 and 0.1; and the strata (rank triples with counts) at sigma 0 and 0.1.
Standard library only.
"""
import collections, json, sys


def label(m):
    return m["name"] + (" (%s)" % m["vae_latent"] if m.get("vae_latent") else "")


def hist(values):
    c = collections.Counter(values)
    return ", ".join("%d: %d" % (k, c[k]) for k in sorted(c))


def main():
    seen = set()   # a model already tabled by an earlier RESULT (e.g. a CAE in the `mean` run)
    for path in sys.argv[1:]:
        j = json.load(open(path))
        s = j["settings"]
        g = s["geometry"]
        print("<!-- from %s: n=%s, seed=%s, sigmas=%s, metric=%s, centered=%s, energy=%s, vae_latent=%s -->\n"
              % (path, s["n"], s["seed"], s["sigmas"], g["metric"], g["centered"], g["energy"], s["vae_latent"]))
        for m in j["models"]:
            if label(m) in seen:
                continue
            seen.add(label(m))
            print("#### %s: kind %s, bandwidth h = %.4g, encoder sha256 %s...\n" % (label(m), m["kind"], m["bandwidth"], m["sha256"][:12]))
            print("| sigma | PSNR dB (mean +- std) | strata | smooth | most frequent stratum (count) | Hilbert dim | max angle deg | mean angle deg |")
            print("|---|---|---|---|---|---|---|---|")
            for st in m["sets"]:
                ang = st.get("principal_angles_deg") or []
                top = st["strata"][0]
                print("| %g | %.2f +- %.2f | %d | %s | (%s) x %d | %d | %s | %s |" % (
                    st["sigma"], st["psnr_mean"], st["psnr_std"], len(st["strata"]), "yes" if st["smooth"] else "no",
                    ", ".join(map(str, top["ranks"])), top["count"], st["hilbert_dim"],
                    "%.2f" % max(ang) if ang else "-", "%.2f" % (sum(ang) / len(ang)) if ang else "-"))
            print()
            print("| sigma | rank histogram mode 1 (H) | mode 2 (W) | mode 3 (C) | strata (r1, r2, r3) x count |")
            print("|---|---|---|---|---|")
            for st in m["sets"]:
                if st["sigma"] not in (0, 0.1):
                    continue
                r = st["ranks"]
                strata = "; ".join("(%s) x %d" % (", ".join(map(str, x["ranks"])), x["count"]) for x in st["strata"][:8])
                if len(st["strata"]) > 8:
                    strata += "; ... %d more" % (len(st["strata"]) - 8)
                print("| %g | %s | %s | %s | %s |" % (st["sigma"], hist(x[0] for x in r), hist(x[1] for x in r),
                                                     hist(x[2] for x in r), strata))
            print()


if __name__ == "__main__":
    main()
