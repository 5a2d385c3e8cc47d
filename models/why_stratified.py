#!/usr/bin/env python3
"""why_stratified.py: where the rank deficiencies of a characterize run come from.

    strata characterize --models DIR --sigmas 0,0.1,0.3 --dump-latents LAT --out RESULT.json
    python3 models/why_stratified.py RESULT.json LAT [RESULT2.json LAT2 ...]

The mode-3 (channel) covariance of a C x H x W latent is the centred Gram of its H W position
vectors (each of length C), so its rank is at most min(C, H W - 1). Per model and noise level this
prints how many latents fall below that cap, and for those, which of two mechanisms accounts for it:
  duplicates: positions whose vectors are exactly equal (positions that see only the image's constant
              background give the same output); the rank is then at most (distinct vectors - 1),
              and "explained" counts the latents whose rank equals min(that bound, the cap).
  exact:      latents below the cap whose first singular value under the rank rule's tolerance is
              below 1e-12 of the largest: an exact linear dependence among the positions (duplicates
              are one; positions whose vectors are supported on a few channels, the rest zeroed by a
              ReLU, another), not a direction that is merely small.
  zeros:      the fraction of exactly zero latent entries (ReLU outputs) and the channels that are
              zero for every latent of the set. Ranks are read from RESULT.json (the method's rule); the
latents from the `<model>[_<vae_latent>]_sigma<s>.npy` files of --dump-latents. numpy only.
"""
import json
import os
import sys

import numpy as np


def mode3_report(Z, ranks3):
    """Counts for one set: Z is N x C x H x W, ranks3 the mode-3 ranks of the method's rule."""
    n, c, h, w = Z.shape
    cap = min(c, h * w - 1)
    positions = Z.reshape(n, c, h * w).transpose(0, 2, 1)         # N x HW x C
    distinct = np.array([len(np.unique(p, axis=0)) for p in positions])
    below = ranks3 < cap
    explained = below & (ranks3 == np.minimum(distinct - 1, cap))
    exact = 0
    for i in np.flatnonzero(below):
        centred = positions[i] - positions[i].mean(axis=0)
        sv = np.linalg.svd(centred, compute_uv=False)
        exact += int(sv[ranks3[i]] <= 1e-12 * sv[0])               # the first singular value dropped
    zero = Z.reshape(n, c, h * w) == 0
    dead = int(zero.all(axis=(0, 2)).sum())                        # channels zero for every latent
    return {"n": n, "cap": cap, "below_cap": int(below.sum()), "duplicates_explain": int(explained.sum()),
            "with_duplicates": int((distinct < h * w).sum()), "exact": exact, "zero_fraction": float(zero.mean()),
            "dead_channels": dead, "min_rank": int(ranks3.min())}


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0:
        sys.exit(__doc__)
    print("| model | sigma | below the cap | explained by duplicates | latents with duplicate positions "
          "| exact dependence | zero entries | dead channels | smallest mode-3 rank |")
    print("|---|---|---|---|---|---|---|---|---|")
    for result, latents in zip(argv[1::2], argv[2::2]):
        with open(result) as f:
            j = json.load(f)
        for m in j["models"]:
            for s in m["sets"]:
                stem = m["name"] + ("_" + m["vae_latent"] if m.get("vae_latent") else "")  # as --dump-latents names it
                path = os.path.join(latents, "%s_sigma%g.npy" % (stem, s["sigma"]))
                if not os.path.exists(path):
                    sys.exit("%s: missing (run characterize with --dump-latents %s)" % (path, latents))
                Z = np.load(path).astype(np.float64)
                ranks3 = np.array([r[2] for r in s["ranks"]])
                if len(ranks3) != len(Z) or not np.isfinite(Z).all():
                    sys.exit("%s: %d latents for %d ranks, or non-finite values" % (path, len(Z), len(ranks3)))
                r = mode3_report(Z, ranks3)
                print("| %s | %g | %d of %d | %d | %d | %d | %.3f | %d | %d |" % (
                    m["name"], s["sigma"], r["below_cap"], r["n"], r["duplicates_explain"], r["with_duplicates"],
                    r["exact"], r["zero_fraction"], r["dead_channels"], r["min_rank"]))


if __name__ == "__main__":
    main(sys.argv)
