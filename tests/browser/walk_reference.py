#!/usr/bin/env python3
"""walk_reference.py: interpolation paths and neighbours from saved latents, in numpy.

Index: 1. arguments and latents  2. paths (ranks, distance to data, each step's place in the clean
       set's kernel-PCA view by out-of-sample projection)  3. neighbours (latent metric,
       kernel-PCA coordinates on the top dim_eta components)  4. output  5. --check

    walk_reference.py --latents DIR --mean-latents DIR --models a,b,... --pairs 0-5,3-7 \
                      --samples 0,9 --k 8 --out REF.json
    walk_reference.py --check --strata PATH --workdir DIR [--n 40]

--check runs `strata characterize --interpolations` on the shipped models (twice: vae_latent sample
and mean, latents dumped), computes the same paths here and compares: ranks and nearest samples
exactly, distances to data within 1e-6 of the path's largest. Exit 1 on a difference, 77 (skipped)
without the Fashion-MNIST test split. Run by ctest as `walk_reference`.

DIR holds `strata characterize --dump-latents` files of a run with vae_latent = sample (the clean
sets as analysed: <model>_sigma0.npy, VAE kinds <model>_sample_sigma0.npy); --mean-latents those of
a run with vae_latent = mean (a VAE's mu, which the interpolation walks). Only the default geometry
(log-euclidean, spd_eps 1e-6, weights 1, centred, median bandwidth, energy 0.95). The numbers come
from bench/reference_geometry.py (an independent numpy implementation of docs/method.md), so they
are a reference for the page and for `strata characterize`. Run with Debian's /usr/bin/python3.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import reference_geometry as ref  # noqa: E402


# 1. Arguments and latents -------------------------------------------------------------------------
def load(directory, model, vae_tag):
    for name in ([f"{model}_{vae_tag}_sigma0.npy"] if vae_tag else []) + [f"{model}_sigma0.npy"]:
        p = os.path.join(directory, name)
        if os.path.exists(p):
            return np.load(p).astype(np.float64), name.startswith(f"{model}_{vae_tag}_") if vae_tag else False
    raise SystemExit(f"walk_reference: no clean latents of model '{model}' in {directory}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--latents")
    ap.add_argument("--mean-latents")
    ap.add_argument("--models")
    ap.add_argument("--pairs")
    ap.add_argument("--samples", default="0")
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--steps", type=int, default=9)
    ap.add_argument("--out")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--strata")
    ap.add_argument("--workdir")
    ap.add_argument("--n", type=int, default=40)
    a = ap.parse_args()
    if a.check:
        sys.exit(check(a))
    reference(a)


def reference(a):
    pairs = [tuple(int(x) for x in p.split("-")) for p in a.pairs.split(",")]
    samples = [int(x) for x in a.samples.split(",")]
    out = {}
    for model in a.models.split(","):
        clean, variational = load(a.latents, model, "sample")
        ends = load(a.mean_latents, model, "mean")[0] if variational else clean
        # The clean set as the analysis has it: log features centred on their mean, distances, kernel.
        w, eps = (1.0, 1.0, 1.0), 1e-6
        feats = ref.log_features(ref.spsd_factors(clean, True, accurate=False), w, eps)
        origin = feats.mean(0)
        F = feats - origin
        D = ref.sq_dists(F, F)
        np.fill_diagonal(D, 0.0)
        D = 0.5 * (D + D.T)
        iu = np.triu_indices(D.shape[0], 1)
        h = float(np.median(np.sqrt(D[iu])))
        K = np.exp(-D / (2 * h * h))
        _, mu, V = ref.spectrum(K)
        dim = ref.hilbert_dim(mu, 0.95)

        # 2. Paths ------------------------------------------------------------------------------------
        paths = []
        t = np.arange(a.steps) / (a.steps - 1)
        for (i, j) in pairs:
            Z = (1 - t)[:, None, None, None] * ends[i][None] + t[:, None, None, None] * ends[j][None]
            fac = ref.spsd_factors(Z, True, accurate=False)
            ranks = ref.ranks_of(fac).tolist()
            G = ref.log_features(fac, w, eps) - origin
            Dp = ref.sq_dists(G, F)
            nearest = Dp.argmin(axis=1)  # the first minimum: ties to the smaller index
            # Out-of-sample projection onto the top two components: the steps' kernel rows against
            # the clean set, centred as Kc is (docs/method.md section 6).
            Kt = np.exp(-Dp / (2 * h * h))
            Kt_c = Kt - Kt.mean(1, keepdims=True) - K.mean(0)[None, :] + K.mean()
            coords = Kt_c @ V[:, :2] / np.sqrt(mu[:2])
            paths.append({"a": i, "b": j, "ranks": ranks,
                          "distance_to_data": np.sqrt(Dp[np.arange(a.steps), nearest]).tolist(),
                          "nearest": nearest.tolist(), "coords": coords.tolist()})

        # 3. Neighbours -----------------------------------------------------------------------------------
        X = V[:, :dim] * np.sqrt(mu[:dim])
        neighbours = {}
        for i in samples:
            def order(d2):
                idx = [j for j in np.lexsort((np.arange(len(d2)), d2)) if j != i][: a.k]
                return [[int(j), float(np.sqrt(max(0.0, d2[j])))] for j in idx]
            neighbours[str(i)] = {"latent": order(D[i]), "kernel": order(((X - X[i]) ** 2).sum(1)),
                                  "kernel_dim": dim}
        out[model] = {"latent": "mu" if variational else "latent", "bandwidth": h, "paths": paths,
                      "neighbours": neighbours}

    # 4. Output ----------------------------------------------------------------------------------------------
    with open(a.out, "w") as f:
        json.dump(out, f)


# 5. --check ------------------------------------------------------------------------------------------------
def check(a):
    test_images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
    if not os.path.exists(test_images):
        print(f"walk_reference: SKIPPED ({test_images} is missing)")
        return 77
    os.makedirs(a.workdir, exist_ok=True)
    models = os.path.join(ref.SOURCE, "models")
    runs = {}
    for mode in ("sample", "mean"):
        out = os.path.join(a.workdir, mode)
        subprocess.run([a.strata, "characterize", "--models", models, "--n", str(a.n), "--sigmas", "0",
                        "--vae-latent", mode, "--interpolations", "5", "--interpolation-steps", str(a.steps),
                        "--dump-latents", out, "--out", out + ".json", "--quiet"], check=True)
        with open(out + ".json") as f:
            runs[mode] = json.load(f)
    names = [m["name"] for m in runs["sample"]["models"]]
    pairs = [(p["a"], p["b"]) for p in runs["sample"]["models"][0]["interpolation"]["paths"]]
    a.latents, a.mean_latents = os.path.join(a.workdir, "sample"), os.path.join(a.workdir, "mean")
    a.models, a.pairs = ",".join(names), ",".join(f"{i}-{j}" for i, j in pairs)
    a.out = os.path.join(a.workdir, "reference.json")
    reference(a)
    with open(a.out) as f:
        want = json.load(f)
    fails = 0
    for mode, run in runs.items():
        for m in run["models"]:
            ref_paths = want[m["name"]]["paths"]
            if mode == "mean" and not m["variational"]:
                continue  # the same run as with sample
            worst = 0.0
            for got, exp in zip(m["interpolation"]["paths"], ref_paths):
                if (got["a"], got["b"]) != (exp["a"], exp["b"]) or got["ranks"] != exp["ranks"]:
                    print(f"FAIL {m['name']} ({mode}) {got['a']}->{got['b']}: ranks {got['ranks']} != {exp['ranks']}")
                    fails += 1
                    continue
                d, e = np.array(got["distance_to_data"]), np.array(exp["distance_to_data"])
                if mode == "mean":  # the reference measures against the sampled set; compare ranks only
                    continue
                if not np.all(np.isfinite(d)):
                    print(f"FAIL {m['name']} {got['a']}->{got['b']}: a distance is not finite")
                    fails += 1
                    continue
                err = float(np.max(np.abs(d - e)) / max(1e-300, float(np.max(np.abs(e)))))
                worst = max(worst, err)
                if err > 1e-6 or got["nearest"][1:-1] != exp["nearest"][1:-1]:
                    print(f"FAIL {m['name']} {got['a']}->{got['b']}: distances differ by {err:.3g} of the largest "
                          f"or the nearest samples differ")
                    fails += 1
            print(f"{m['name']} ({mode}): {len(ref_paths)} paths, ranks equal, worst distance error {worst:.3g}")
    print("walk_reference: " + (f"{fails} failure(s)" if fails else "passed"))
    return 1 if fails else 0


if __name__ == "__main__":
    main()
