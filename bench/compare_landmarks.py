#!/usr/bin/env python3
"""compare_landmarks.py: how far a `strata geometry --landmarks M` result is from the exact one.

Usage: compare_landmarks.py EXACT.json APPROX.json [APPROX2.json ...]

For each approximate result and each set it prints: hilbert_dim (exact and approximate), the mean and
the largest principal angle in degrees (noisy sets), and the 2-D view's error after orthogonal
Procrustes alignment, min over orthogonal R (rotations and reflections) of ||A R - E||_F / ||E||_F,
A the approximate embedding_2d and E the exact one (all sets' points together, as one picture).
Run it with Debian's /usr/bin/python3 (numpy).
"""
import json
import sys

import numpy as np


def procrustes_error(A, E):
    """Relative Frobenius error of A R against E, R the orthogonal 2 x 2 that minimises it."""
    U, _, Vt = np.linalg.svd(A.T @ E)
    R = U @ Vt
    return float(np.linalg.norm(A @ R - E) / np.linalg.norm(E))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    with open(argv[1]) as f:
        exact = json.load(f)
    E = np.vstack([np.asarray(s["embedding_2d"], float) for s in exact["sets"]])
    for path in argv[2:]:
        with open(path) as f:
            approx = json.load(f)
        m = approx.get("landmarks", {}).get("m", "exact")
        k = approx.get("landmarks", {}).get("feature_rank", "-")
        A = np.vstack([np.asarray(s["embedding_2d"], float) for s in approx["sets"]])
        print(f"{path}: M = {m}, k = {k}, bandwidth {approx['settings']['bandwidth']:.4g} "
              f"(exact {exact['settings']['bandwidth']:.4g}), 2-D view Procrustes error {procrustes_error(A, E):.3g}")
        for se, sa in zip(exact["sets"], approx["sets"]):
            line = f"  sigma {se['sigma']:<5g} hilbert_dim {se['hilbert_dim']:>5} -> {sa['hilbert_dim']:>5}"
            if not se["clean"]:
                ae, aa = np.asarray(se["principal_angles_deg"]), np.asarray(sa["principal_angles_deg"])
                line += (f"  mean angle {ae.mean():7.3f} -> {aa.mean():7.3f}"
                         f"  max angle {ae.max():7.3f} -> {aa.max():7.3f}")
            print(line)


if __name__ == "__main__":
    main(sys.argv)
