#!/usr/bin/env python3
"""reference_geometry.py: an independent numpy/scipy implementation of METHOD.md sections 3-7.

Index: 1. SPSD points, ranks  2. metrics (vectorised log-euclidean; the others pair by pair,
       straight from their definitions)  3. kernel, spectrum, 2-D view, angles
       4. --check: run `strata geometry` and compare  5. --bench: time the vectorised analysis

Two uses:
  --check --strata PATH   writes random latents as .npy, runs the C++ CLI on them for every
                          metric and compares every field of the JSON with this implementation
                          (ranks, strata, Hilbert dimensions exactly; numbers to 1e-6 relative).
                          Exit 1 on any disagreement. Run by ctest as `numpy_reference`.
  --bench                 times this implementation on the default analysis size (300 latents of
                          64x7x7, clean + 6 noisy sets, log-euclidean), vectorised: batched
                          eigh, matrix-product distance blocks, no Python loops over points.
Run it with Debian's /usr/bin/python3 (python3-numpy, python3-scipy).
"""
import argparse
import json
import os
import subprocess
import sys
import time

# The check does thousands of tiny pair-by-pair linear-algebra calls, where OpenBLAS's OpenMP
# threads only spin against each other (and against anything else running): one thread.
if "--check" in sys.argv:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import scipy.linalg

EPS32 = 2.0 ** -23


# 1. SPSD points and ranks ------------------------------------------------------------------------
def unfoldings(Z):
    """Z: N x C x H x W -> [N x H x WC, N x W x HC, N x C x HW] (METHOD.md section 2)."""
    N, C, H, W = Z.shape
    return [Z.transpose(0, 2, 1, 3).reshape(N, H, C * W),
            Z.transpose(0, 3, 1, 2).reshape(N, W, C * H),
            Z.reshape(N, C, H * W)]


def spsd_factors(Z, centered=True):
    """Per mode: (S, eigenvalues descending clipped at 0, eigenvectors, rows, cols)."""
    out = []
    for U in unfoldings(Z.astype(np.float64)):
        I, m = U.shape[1], U.shape[2]
        if centered:
            Uc = U - U.mean(axis=2, keepdims=True)
            S = Uc @ Uc.transpose(0, 2, 1) / (m - 1)
        else:
            S = U @ U.transpose(0, 2, 1) / m
        l, V = np.linalg.eigh(S)
        out.append((S, np.clip(l[:, ::-1], 0, None), V[:, :, ::-1], I, m))
    return out


def ranks_of(factors, rtol=None):
    cols = []
    for (_, l, _, I, m) in factors:
        f = rtol if rtol is not None else max(I, m) * EPS32
        s = np.sqrt(l)
        r = (s > s[:, :1] * f).sum(axis=1)
        r[l[:, 0] <= 0] = 0
        cols.append(r)
    return np.stack(cols, axis=1)


def effective_ranks(factors):
    cols = []
    for (_, l, _, I, m) in factors:
        s = np.where(l > l[:, :1] * max(I, m) * 2.0 ** -52, np.sqrt(l), 0.0)   # round-off counts as 0
        tot = s.sum(axis=1, keepdims=True)
        p = np.divide(s, tot, out=np.zeros_like(s), where=tot > 0)
        ent = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0), axis=1)
        cols.append(np.where(tot[:, 0] > 0, np.exp(ent), 0.0))
    return np.stack(cols, axis=1)


# 2. Metrics --------------------------------------------------------------------------------------
def shift(l, I, eps):
    tr = l.sum(axis=-1)
    return np.where(tr > 0, eps * tr / I, eps)


def log_features(factors, weights, eps):
    """Rows [sqrt(w_n) vech(log S_e(n))], off-diagonals times sqrt(2): Euclidean = d_PM."""
    parts = []
    for w, (_, l, V, I, _) in zip(weights, factors):
        d = shift(l, I, eps)
        L = (V * np.log(l + d[:, None])[:, None, :]) @ V.transpose(0, 2, 1)
        rows, cols = np.tril_indices(I)
        scale = np.where(rows == cols, 1.0, np.sqrt(2.0)) * np.sqrt(w)
        parts.append(L[:, rows, cols] * scale)
    return np.concatenate(parts, axis=1)


def sq_dists(A, B):
    return np.maximum(0.0, (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * A @ B.T)


def spd_log(S, eps):
    I = S.shape[0]
    tr = np.trace(S)
    Se = S + (eps * tr / I if tr > 0 else eps) * np.eye(I)
    l, V = np.linalg.eigh(Se)
    return V @ np.diag(np.log(l)) @ V.T, Se


def factor_sq(metric, S, T, rS, rT, eps, k):
    """Straight from METHOD.md section 5's definitions (scipy's sqrtm, eigvalsh, subspace_angles)."""
    if metric == "bures-wasserstein":
        Sh = scipy.linalg.sqrtm(S).real
        return max(0.0, np.trace(S) + np.trace(T) - 2 * np.trace(scipy.linalg.sqrtm(Sh @ T @ Sh).real))
    if metric == "affine-invariant":
        _, Se = spd_log(S, eps)
        _, Te = spd_log(T, eps)
        g = scipy.linalg.eigvalsh(Te, Se)
        return float(np.sum(np.log(g) ** 2))
    if metric == "fixed-rank":
        r = min(rS, rT)
        if r == 0:
            return 0.0
        lS, US = np.linalg.eigh(S)
        lT, UT = np.linalg.eigh(T)
        US, UT = US[:, ::-1][:, :r], UT[:, ::-1][:, :r]
        theta = scipy.linalg.subspace_angles(US, UT)
        OS, _, OTt = np.linalg.svd(US.T @ UT)
        YS, YT = US @ OS, UT @ OTt.T
        RS2, RT2 = YS.T @ S @ YS, YT.T @ T @ YT
        g = scipy.linalg.eigvalsh(RT2, RS2)
        return float(np.sum(theta ** 2) + k * np.sum(np.log(g) ** 2))
    raise ValueError(metric)


def pair_dists(fa, ra, fb, rb, metric, weights, eps, k, same):
    na, nb = fa[0][0].shape[0], fb[0][0].shape[0]
    D = np.zeros((na, nb))
    for i in range(na):
        for j in range(nb):
            if same and j <= i:
                continue
            D[i, j] = sum(w * factor_sq(metric, fa[n][0][i], fb[n][0][j], ra[i, n], rb[j, n], eps, k)
                          for n, w in enumerate(weights) if w != 0)
    if same:
        D = D + D.T
    return D


# 3. Kernel, spectrum, 2-D view, angles -------------------------------------------------------------
def centre(K):
    return K - K.mean(0, keepdims=True) - K.mean(1, keepdims=True) + K.mean()


def spectrum(K):
    kmin = np.linalg.eigvalsh(K)[0]
    Kc = centre(K)
    Kc = 0.5 * (Kc + Kc.T)
    mu, V = np.linalg.eigh(Kc)
    mu, V = np.clip(mu[::-1], 0, None), V[:, ::-1].copy()
    idx = np.abs(V).argmax(axis=0)
    V *= np.sign(V[idx, np.arange(V.shape[1])])
    return kmin, mu, V


def hilbert_dim(mu, energy):
    tot = mu.sum()
    if tot <= 0:
        return 0
    c = np.cumsum(mu)
    return int(np.argmax(c >= energy * tot * (1 - 1e-12)) + 1)


def analyse(sets, metric="log-euclidean", weights=(1, 1, 1), eps=1e-6, k=1.0, energy=0.95, centered=True):
    """sets: list of (sigma, N x C x H x W array), clean first. Returns the JSON-like dict."""
    facs = [spsd_factors(Z, centered) for _, Z in sets]
    ranks = [ranks_of(f) for f in facs]
    if metric == "log-euclidean":
        feats = [log_features(f, weights, eps) for f in facs]
        origin = feats[0].mean(0)
        feats = [F - origin for F in feats]
        own = [sq_dists(F, F) for F in feats]
        for D in own:
            np.fill_diagonal(D, 0.0)
            D[:] = 0.5 * (D + D.T)
        cross = [None] + [sq_dists(feats[0], F) for F in feats[1:]]
    else:
        own = [pair_dists(f, r, f, r, metric, weights, eps, k, True) for f, r in zip(facs, ranks)]
        cross = [None] + [pair_dists(facs[0], ranks[0], f, r, metric, weights, eps, k, False)
                          for f, r in zip(facs[1:], ranks[1:])]
    iu = np.triu_indices(own[0].shape[0], 1)
    h = float(np.median(np.sqrt(own[0][iu])))
    K = [np.exp(-D / (2 * h * h)) for D in own]
    Kx = [None] + [np.exp(-D / (2 * h * h)) for D in cross[1:]]
    specs = [spectrum(k_) for k_ in K]
    out = {"bandwidth": h, "sets": []}
    kmin0, mu0, V0 = specs[0]
    m0 = hilbert_dim(mu0, energy)
    for s, ((sigma, Z), f, r, (kmin, mu, V)) in enumerate(zip(sets, facs, ranks, specs)):
        m = hilbert_dim(mu, energy)
        entry = {"sigma": sigma, "ranks": r.tolist(), "effective_ranks": effective_ranks(f).tolist(),
                 "hilbert_dim": m, "kernel_spectrum": mu.tolist(), "kernel_min_eigenvalue": float(kmin)}
        strata = {}
        for t in map(tuple, r.tolist()):
            strata[t] = strata.get(t, 0) + 1
        entry["strata"] = sorted(([list(t), c] for t, c in strata.items()), key=lambda e: (-e[1], [-x for x in e[0]]))
        if s == 0:
            entry["embedding_2d"] = (V0[:, :2] * np.sqrt(mu0[:2])).tolist()
        else:
            Kt = Kx[s].T
            Kt = Kt - K[0].mean(0)[None, :] - Kt.mean(1, keepdims=True) + K[0].mean()
            entry["embedding_2d"] = (Kt @ V0[:, :2] / np.sqrt(mu0[:2])).tolist()
            A = V0[:, :m0] / np.sqrt(mu0[:m0])
            B = V[:, :m] / np.sqrt(mu[:m])
            sv = np.linalg.svd(A.T @ centre(Kx[s]) @ B, compute_uv=False)
            entry["principal_angles_deg"] = sorted(np.degrees(np.arccos(np.minimum(1.0, sv))).tolist())
        out["sets"].append(entry)
    return out


# 4. --check -------------------------------------------------------------------------------------------
def synthetic(n, shape, sigma, rng, base=None):
    if base is None:
        C, H, W = shape
        base = []
        for i in range(n):
            r = 2 + i % 5
            base.append(np.maximum(0, rng.standard_normal((C, r)) @ rng.standard_normal((r, H * W))).reshape(C, H, W))
        base = np.stack(base)
    return base, np.maximum(0, base + sigma * rng.standard_normal(base.shape)).astype(np.float32)


def compare(name, got, want, rel, fails):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape:
        fails.append(f"{name}: shape {got.shape} != {want.shape}")
        return
    scale = max(1.0, np.abs(want).max()) if want.size else 1.0
    err = np.abs(got - want).max() / scale if want.size else 0.0
    if err > rel:
        fails.append(f"{name}: max relative difference {err:.3g} > {rel:g}")


def check(strata, workdir):
    os.makedirs(workdir, exist_ok=True)
    rng = np.random.default_rng(5)
    fails = []
    # A wide mode-3 unfolding (24 channels, 16 positions) exercises the Gram route. The pair-by-pair
    # metrics use different formulas here (sqrtm, generalised eigenvalues) than in the core, and
    # rank-deficient matrices regularised by spd_eps = 1e-6 are ill-conditioned: they agree to
    # about 1e-6; the vectorised log-euclidean path agrees to round-off.
    for metric, n, tol in [("log-euclidean", 40, 1e-8), ("bures-wasserstein", 12, 1e-5),
                           ("affine-invariant", 12, 1e-5), ("fixed-rank", 12, 1e-5)]:
        base, clean = synthetic(n, (24, 4, 4), 0.0, rng)
        sets = [(0.0, clean)] + [(s, synthetic(n, None, s, rng, base)[1]) for s in (0.05, 0.2)]
        paths = []
        for sigma, Z in sets:
            p = os.path.join(workdir, f"{metric}-{sigma}.npy")
            np.save(p, Z)
            paths.append(p)
        out = os.path.join(workdir, f"{metric}.json")
        cmd = [strata, "geometry", "--quiet", "--metric", metric, "--clean", paths[0], "--out", out]
        cmd += [f"--noisy={s}={p}" for (s, _), p in zip(sets[1:], paths[1:])]
        subprocess.run(cmd, check=True)
        with open(out) as f:
            got = json.load(f)
        want = analyse(sets, metric=metric)
        compare(f"{metric} bandwidth", got["settings"]["bandwidth"], want["bandwidth"], tol, fails)
        for g, w in zip(got["sets"], want["sets"]):
            tag = f"{metric} sigma {w['sigma']}"
            if g["ranks"] != w["ranks"]:
                fails.append(f"{tag}: ranks differ")
            if [[s["ranks"], s["count"]] for s in g["strata"]] != w["strata"]:
                fails.append(f"{tag}: strata differ")
            if g["hilbert_dim"] != w["hilbert_dim"]:
                fails.append(f"{tag}: hilbert_dim {g['hilbert_dim']} != {w['hilbert_dim']}")
            compare(f"{tag} effective_ranks", g["effective_ranks"], w["effective_ranks"], 1e-8, fails)
            compare(f"{tag} kernel_spectrum", g["kernel_spectrum"], w["kernel_spectrum"], 10 * tol, fails)
            compare(f"{tag} kernel_min_eigenvalue", g["kernel_min_eigenvalue"], w["kernel_min_eigenvalue"], 10 * tol, fails)
            compare(f"{tag} embedding_2d", g["embedding_2d"], w["embedding_2d"], 100 * tol, fails)
            if "principal_angles_deg" in w:
                compare(f"{tag} principal_angles_deg", g["principal_angles_deg"], w["principal_angles_deg"], 100 * tol, fails)
        print(f"reference_geometry: {metric}: compared {len(want['sets'])} sets of {n} latents")
    for f in fails:
        print("MISMATCH", f)
    print(f"{0 if fails else 1} passed, {1 if fails else 0} failed")
    return 1 if fails else 0


# 5. --bench ------------------------------------------------------------------------------------------
def bench(n, repeat, save=None, load=None):
    sigmas = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
    if load:   # the same files bench_geometry --latents reads
        sets = [(0.0, np.load(os.path.join(load, "clean.npy"))[:n])]
        sets += [(s, np.load(os.path.join(load, f"sigma_{s:g}.npy"))[:n]) for s in sigmas]
    else:
        rng = np.random.default_rng(7)
        base, clean = synthetic(n, (64, 7, 7), 0.0, rng)
        sets = [(0.0, clean)] + [(s, synthetic(n, None, s, rng, base)[1]) for s in sigmas]
    if save:
        os.makedirs(save, exist_ok=True)
        for s, Z in sets:
            np.save(os.path.join(save, "clean.npy" if s == 0 else f"sigma_{s:g}.npy"), Z)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        analyse(sets)
        best = min(best, time.perf_counter() - t)
    print(f"reference_geometry: numpy {np.__version__} scipy {scipy.__version__}, N = {n}, 7 sets, "
          f"log-euclidean: {best:.3f} s (best of {repeat})")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--strata", default="build/native/native_trainer/strata")
    ap.add_argument("--workdir", default="/tmp/strata-reference")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--save", help="--bench: also write the latents as DIR/clean.npy, DIR/sigma_<s>.npy")
    ap.add_argument("--load", help="--bench: read the latents from such a folder instead")
    a = ap.parse_args()
    if a.check:
        return check(a.strata, a.workdir)
    if a.bench:
        return bench(a.n, a.repeat, a.save, a.load)
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
