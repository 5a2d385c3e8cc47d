#!/usr/bin/env python3
"""reference_geometry.py: an independent numpy/scipy implementation of docs/method.md sections 3-7.

Index: 1. SPSD points, ranks  2. metrics (vectorised log-euclidean; the others pair by pair,
       straight from their definitions, fixed-rank with docs/method.md's rule for zero cosines)
       3. kernel, spectrum, 2-D view, angles  4. --check: run `strata geometry`, compare every
       field  5. --bench: time the vectorised analysis

Two uses:
  --check --strata PATH   runs the C++ CLI on latent sets written as .npy and compares every field
                          of its JSON with this implementation (exit 1 on any disagreement). Run by
                          ctest as `numpy_reference`. The cases: small synthetic latents for every
                          metric with the default settings and with every setting changed (centered
                          false, weights with a zero, energy, rank_rtol, spd_eps, fixed_rank_k, a
                          given bandwidth, a rank_rtol below 1e-7 with its warning); the shipped CAE
                          latents (models/example, 64x7x7) for every metric; and ReLU-like 64x7x7
                          latents whose dead channels differ from sample to sample, so that
                          fixed-rank needs its rule for zero cosines with 1 to 24 of them (both the
                          enumeration and the greedy path); 600 synthetic 64x7x7 latents, clean and
                          one noisy set (the kernel's divide-and-conquer eigensolver); and the
                          bandwidth scan (--bandwidth-factors) with the median and with a given h.
  --bench                 times this implementation on the default analysis size (300 latents of
                          64x7x7, clean + 6 noisy sets, log-euclidean), vectorised: batched
                          eigh, matrix-product distance blocks, no Python loops over points.
                          --n N and --sets S change the size (S - 1 noisy sets); --save DIR writes
                          the latents for bench_geometry --latents DIR.
Run it with Debian's /usr/bin/python3 (python3-numpy, python3-scipy).

What --check compares, and how closely:
  exactly     the number of sets and the keys of every object (so a field that should be absent
              must be), every string, boolean and integer: name, clean, n, shape, ranks, strata,
              smooth, hilbert_dim, cross_stratum_pairs, cross_stratum_pairs_vs_clean,
              fixed_rank_ambiguous_pairs, and the settings block (metric, metric_params,
              weights, centered, rank rule and rank_rtol, bandwidth_rule, energy, inputs with
              their sha256 and dtype, n, sigmas, ...); sigma and given settings as numbers
  to TOL      every computed number: bandwidth, effective_ranks, kernel_spectrum,
              kernel_min_eigenvalue, embedding_2d, principal_angles_deg, and the bandwidth scan's
              bandwidths, mean_angle_deg and max_angle_deg. The error of a field is
              max |got - want| / max(1, max |want|) over the field (so relative for values above
              1, absolute below: eigenvalues of a kernel lie in [0, N], coordinates in [-1, 1]).
              TOL = 1e-7, ten times below the 1e-6 an independent check is held to; the largest
              error of each field is printed.
  `seconds`   (wall time) only for being a number.

Where docs/method.md leaves a choice open, this file makes the C++ core's choice (docs/core.md), so
that the two can agree; each is marked "mirrors the core" below:
  - effective-rank floor: eigenvalues l_i <= l_1 * max(I, m) * 2^-52 count as 0 (round-off);
  - dimension slack: dim_eta compares the cumulative energy with eta * total * (1 - 1e-12);
  - feature centring: a noisy set's cross-kernel row is centred with the clean set's column means
    for the 2-D view (the standard out-of-sample projection), and each set's own kernel on its own
    mean for the principal angles (section 7);
  - kernel eigenvectors are signed so that their largest-magnitude entry is positive;
  - a mode of weight 0 is not evaluated, so its zero cosines do not make a pair ambiguous.
Numerical routes of this file's own (independent of the core's code, and as accurate: measured
against 60-digit arithmetic, a Cholesky-based eigvalsh(R_T^2, R_S^2) or eigvalsh(T_e, S_e) and
eigenvalues of the formed S lose up to 1e-5 of a distance when eigenvalues span ten orders of
magnitude, as they do near the rank threshold):
  - the factors of bures-wasserstein, affine-invariant and fixed-rank, and with them the ranks
    and effective ranks, from numpy's SVD of the centred unfolding (LAPACK gesdd); log-euclidean
    (and its ranks) from numpy's eigh of S, as the core's fast route;
  - bures-wasserstein: tr((S^1/2 T S^1/2)^1/2) as the sum of singular values of A^T B with
    A = U diag(s) / sqrt(m - 1) from that SVD;
  - affine-invariant and fixed-rank's log term: the eigenvalues of their pencils as squared singular
    values of a diagonally scaled orthogonal matrix, by numpy's SVD;
  - fixed-rank: principal angles by scipy.linalg.subspace_angles, O_S, O_T by one numpy SVD, the
    signs of the zero block by the literal Frobenius norm of every pattern.
"""
import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import time

# The check does thousands of small pair-by-pair linear-algebra calls, where OpenBLAS's OpenMP
# threads only spin against each other (and against anything else running): one thread.
if "--check" in sys.argv:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import scipy.linalg

EPS32 = 2.0 ** -23
EPS64 = 2.0 ** -52
ZERO_COSINE = 1e-10      # docs/method.md section 5: a cosine <= 1e-10 is a right angle
ENUMERATE_MAX = 12       # and up to 12 of them are resolved by trying every sign pattern
TOL = 1e-7
SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# 1. SPSD points and ranks ------------------------------------------------------------------------
def unfoldings(Z):
    """Z: N x C x H x W -> [N x H x WC, N x W x HC, N x C x HW] (docs/method.md section 2)."""
    N, C, H, W = Z.shape
    return [Z.transpose(0, 2, 1, 3).reshape(N, H, C * W),
            Z.transpose(0, 3, 1, 2).reshape(N, W, C * H),
            Z.reshape(N, C, H * W)]


def spsd_factors(Z, centered=True, accurate=True):
    """Per mode a dict: S and its eigh (l descending clipped at 0, V), used by log-euclidean; and
    ls, Us for the ranks, the effective ranks and the other metrics. With `accurate`, these come
    from the SVD of the (centred) unfolding Zc = Us diag(s) W^T, ls = s^2 / (m - 1) (or / m)
    padded with zeros, Us the complete left basis: an eigenvalue of the formed S carries an error
    of eps * l_1, far too much for a small one that affine-invariant or fixed-rank divide by.
    Without it (log-euclidean, and --bench) they are l and V, as the core's fast route."""
    out = []
    for U in unfoldings(Z.astype(np.float64)):
        I, m = U.shape[1], U.shape[2]
        Uc = U - U.mean(axis=2, keepdims=True) if centered else U
        scale = 1.0 / (m - 1) if centered else 1.0 / m
        S = Uc @ Uc.transpose(0, 2, 1) * scale
        l, V = np.linalg.eigh(S)
        l, V = np.clip(l[:, ::-1], 0, None), V[:, :, ::-1]
        f = {"S": S, "l": l, "V": V, "ls": l, "Us": V, "I": I, "m": m}
        if accurate:
            Us, s, _ = np.linalg.svd(Uc, full_matrices=True)
            f["ls"] = np.zeros((U.shape[0], I))
            f["ls"][:, :s.shape[1]] = s * s * scale
            f["Us"] = Us
        out.append(f)
    return out


def ranks_of(factors, rtol=None):
    cols = []
    for f in factors:
        fac = rtol if rtol is not None else max(f["I"], f["m"]) * EPS32
        s = np.sqrt(f["ls"])
        r = (s > s[:, :1] * fac).sum(axis=1)
        r[s[:, 0] <= 0] = 0
        cols.append(r)
    return np.stack(cols, axis=1)


def effective_ranks(factors):
    cols = []
    for f in factors:
        l = f["ls"]
        # The floor mirrors the core: round-off eigenvalues count as 0.
        s = np.where(l > l[:, :1] * max(f["I"], f["m"]) * EPS64, np.sqrt(l), 0.0)
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
    for w, f in zip(weights, factors):
        l, V, I = f["l"], f["V"], f["I"]
        d = shift(l, I, eps)
        L = (V * np.log(l + d[:, None])[:, None, :]) @ V.transpose(0, 2, 1)
        rows, cols = np.tril_indices(I)
        scale = np.where(rows == cols, 1.0, np.sqrt(2.0)) * np.sqrt(w)
        parts.append(L[:, rows, cols] * scale)
    return np.concatenate(parts, axis=1)


def sq_dists(A, B):
    return np.maximum(0.0, (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * A @ B.T)


def log_sq_of_squares(sv):
    """sum (log s_i^2)^2 over singular values s_i."""
    return float(np.sum((2.0 * np.log(sv)) ** 2))


def fixed_rank_sq(lS, US, lT, UT, r, k):
    """docs/method.md section 5's fixed-rank distance with its rule for zero cosines. Returns (d^2, z).
    US, UT: left singular vectors of the unfoldings, lS, lT: the eigenvalues s^2 / (m - 1)."""
    if r == 0:
        return 0.0, 0
    US, UT, lS, lT = US[:, :r], UT[:, :r], lS[:r], lT[:r]
    theta = scipy.linalg.subspace_angles(US, UT)          # the sine/cosine method
    OS, cosines, OTt = np.linalg.svd(US.T @ UT)           # one SVD: both rotations
    OT = OTt.T
    Z = np.flatnonzero(cosines <= ZERO_COSINE)
    z = len(Z)

    def R2(O, l):                                        # Y^T S Y with Y = U O, S U = U diag(l)
        R = O.T @ (l[:, None] * O)
        return 0.5 * (R + R.T)

    if z:
        # (1) canonical bases of the zero-cosine block: eigenvectors of R^2[Z, Z], descending.
        for O, l in ((OS, lS), (OT, lT)):
            _, Q = np.linalg.eigh(R2(O, l)[np.ix_(Z, Z)])
            O[:, Z] = O[:, Z] @ Q[:, ::-1]
        RS2, RT2 = R2(OS, lS), R2(OT, lT)

        # (2) the signs D on Z that minimise ||R_S^2 - D R_T^2 D||_F.
        def objective(D):   # D: patterns x r of +-1
            E = RS2[None] - D[:, :, None] * RT2[None] * D[:, None, :]
            return (E * E).sum(axis=(1, 2))

        d = np.ones(r)
        if z <= ENUMERATE_MAX:
            p = np.arange(2 ** z)
            D = np.ones((2 ** z, r))
            D[:, Z] = 1.0 - 2.0 * ((p[:, None] >> np.arange(z)[None, :]) & 1)   # bit j: -1 on Z[j]
            values = np.concatenate([objective(D[i:i + 256]) for i in range(0, 2 ** z, 256)])
            d = D[int(np.argmin(values))]        # the first minimum: ties go to the smaller p
        else:
            best = objective(d[None])[0]
            for j in Z:                          # greedy, in increasing order of Z
                d[j] = -1.0
                v = objective(d[None])[0]
                if v < best:
                    best = v
                else:
                    d[j] = 1.0
        OT = OT * d[None, :]                     # D R_T^2 D is R_T^2 of O_T D
    # The eigenvalues of the pencil (R_T^2, R_S^2) are the squared singular values of
    # diag(l_T)^1/2 O_T O_S^T diag(l_S)^-1/2 (R^2 = F^T F with F = diag(l)^1/2 O); an SVD keeps
    # them to eps times the largest, where scipy's Cholesky-based eigvalsh(R_T^2, R_S^2) loses up
    # to 1e-5 of a distance when l_S spans ten orders of magnitude (measured against 60 digits).
    C = np.sqrt(lT)[:, None] * (OT @ OS.T) / np.sqrt(lS)[None, :]
    return float(np.sum(theta ** 2) + k * log_sq_of_squares(np.linalg.svd(C, compute_uv=False))), z


def factor_sq(metric, fa, i, fb, j, rS, rT, eps, k):
    """One factor's squared distance and its number of zero cosines (fixed-rank only)."""
    lS, US, lT, UT = fa["ls"][i], fa["Us"][i], fb["ls"][j], fb["Us"][j]
    if metric == "bures-wasserstein":
        # S = A A^T with A = Us diag(s) / sqrt(m - 1): tr((S^1/2 T S^1/2)^1/2) = ||A^T B||_*.
        q = min(fa["I"], fa["m"])
        A, B = US[:, :q] * np.sqrt(lS[:q]), UT[:, :q] * np.sqrt(lT[:q])
        nuclear = np.linalg.svd(A.T @ B, compute_uv=False).sum()
        return max(0.0, lS.sum() + lT.sum() - 2.0 * nuclear), 0
    if metric == "affine-invariant":
        # S_e^-1/2 T_e S_e^-1/2 has the eigenvalues of C C^T, C = diag(l_S,e)^-1/2 U_S^T U_T diag(l_T,e)^1/2
        # (complete bases); an SVD of C keeps them to eps times the largest, where scipy's
        # eigvalsh(T_e, S_e) loses up to 1e-5 of a distance at spd_eps = 1e-6 (measured against 60 digits).
        I = fa["I"]
        eS = lS + (eps * lS.sum() / I if lS.sum() > 0 else eps)
        eT = lT + (eps * lT.sum() / I if lT.sum() > 0 else eps)
        C = (US.T @ UT) * np.sqrt(eT)[None, :] / np.sqrt(eS)[:, None]
        return log_sq_of_squares(np.linalg.svd(C, compute_uv=False)), 0
    if metric == "fixed-rank":
        return fixed_rank_sq(lS, US, lT, UT, min(rS, rT), k)
    raise ValueError(metric)


def pair_dists(fa, ra, fb, rb, metric, weights, eps, k, same):
    """Squared d_PM of every pair, and (same set) the pairs i < j with a zero cosine in any mode."""
    na, nb = fa[0]["S"].shape[0], fb[0]["S"].shape[0]
    D = np.zeros((na, nb))
    ambiguous, seen = 0, set()
    for i in range(na):
        for j in range(i + 1 if same else 0, nb):
            z_pair = 0
            for n, w in enumerate(weights):
                if w == 0:    # mirrors the core: a mode of weight 0 is not evaluated
                    continue
                d2, z = factor_sq(metric, fa[n], i, fb[n], j, ra[i, n], rb[j, n], eps, k)
                D[i, j] += w * d2
                z_pair += z
                seen.add(z)
            ambiguous += z_pair > 0
    if same:
        D = D + D.T
    return D, ambiguous, seen


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
    V *= np.sign(V[idx, np.arange(V.shape[1])])     # mirrors the core's sign convention
    return kmin, mu, V


def hilbert_dim(mu, energy):
    tot = mu.sum()
    if tot <= 0:
        return 0
    c = np.cumsum(mu)
    return int(np.argmax(c >= energy * tot * (1 - 1e-12)) + 1)   # the slack mirrors the core


def cross_stratum(a, b=None):
    if b is None:
        return sum(int(tuple(a[i]) != tuple(a[j])) for i in range(len(a)) for j in range(i + 1, len(a)))
    return sum(int(tuple(x) != tuple(y)) for x in a for y in b)


def angles_deg(V0, mu0, m0, V, mu, m, Kx):
    """Section 7: principal angles between the clean and a noisy kernel subspace, degrees, ascending."""
    A = V0[:, :m0] / np.sqrt(mu0[:m0])
    B = V[:, :m] / np.sqrt(mu[:m])
    sv = np.linalg.svd(A.T @ centre(Kx) @ B, compute_uv=False)
    return sorted(np.degrees(np.arccos(np.minimum(1.0, sv))).tolist())


def bandwidth_scan(own, cross, h, factors, energy):
    """The scan: hilbert_dim and the mean and largest angle per set at h' = f h, from the same distances.
    Returns the model-level block and the per-set entries."""
    dims, means, maxes = [[] for _ in own], [[] for _ in own], [[] for _ in own]
    for f in factors:
        hf = f * h
        specs = [spectrum(np.exp(-D / (2 * hf * hf))) for D in own]
        m = [hilbert_dim(mu, energy) for _, mu, _ in specs]
        for s, (_, mu, V) in enumerate(specs):
            dims[s].append(m[s])
            if s > 0:
                a = angles_deg(specs[0][2], specs[0][1], m[0], V, mu, m[s], np.exp(-cross[s] / (2 * hf * hf)))
                means[s].append(float(np.mean(a)))
                maxes[s].append(float(np.max(a)))
    per_set = [{"hilbert_dim": dims[s]} if s == 0 else
               {"hilbert_dim": dims[s], "mean_angle_deg": means[s], "max_angle_deg": maxes[s]} for s in range(len(own))]
    return {"factors": list(factors), "bandwidths": [f * h for f in factors],
            "rule": "h' = factor * h, h the bandwidth the analysis used; the kernel, its spectra, hilbert_dim and the "
                    "principal angles recomputed at h' from the same distances (a diagnostic: every other result uses "
                    "h); per set in sets[i].bandwidth_scan, one entry per factor"}, per_set


def analyse(sets, metric="log-euclidean", weights=(1, 1, 1), eps=1e-6, k=1.0, energy=0.95, centered=True,
            rtol=None, bandwidth=None, scan=None):
    """sets: list of (sigma, N x C x H x W array), clean first. Returns the JSON-like dict."""
    facs = [spsd_factors(Z, centered, accurate=metric != "log-euclidean") for _, Z in sets]
    ranks = [ranks_of(f, rtol) for f in facs]
    ambiguous, seen = [0] * len(sets), set()
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
        own = []
        for s, (f, r) in enumerate(zip(facs, ranks)):
            D, ambiguous[s], z_values = pair_dists(f, r, f, r, metric, weights, eps, k, True)
            own.append(D)
            seen |= z_values
        cross = [None] + [pair_dists(facs[0], ranks[0], f, r, metric, weights, eps, k, False)[0]
                          for f, r in zip(facs[1:], ranks[1:])]
    iu = np.triu_indices(own[0].shape[0], 1)
    h = bandwidth if bandwidth is not None else float(np.median(np.sqrt(own[0][iu])))
    K = [np.exp(-D / (2 * h * h)) for D in own]
    Kx = [None] + [np.exp(-D / (2 * h * h)) for D in cross[1:]]
    specs = [spectrum(k_) for k_ in K]
    out = {"bandwidth": h, "sets": [], "zero_cosines": sorted(seen)}   # the last: for the check only
    kmin0, mu0, V0 = specs[0]
    m0 = hilbert_dim(mu0, energy)
    for s, ((sigma, Z), f, r, (kmin, mu, V)) in enumerate(zip(sets, facs, ranks, specs)):
        m = hilbert_dim(mu, energy)
        entry = {"clean": s == 0, "sigma": sigma, "n": int(Z.shape[0]), "shape": list(Z.shape[1:]),
                 "ranks": r.tolist(), "effective_ranks": effective_ranks(f).tolist()}
        strata = {}
        for t in map(tuple, r.tolist()):
            strata[t] = strata.get(t, 0) + 1
        order = sorted(strata.items(), key=lambda e: (-e[1], [-x for x in e[0]]))
        entry["strata"] = [{"ranks": list(t), "count": c} for t, c in order]
        entry["smooth"] = len(strata) == 1
        entry.update({"hilbert_dim": m, "kernel_spectrum": mu.tolist(), "kernel_min_eigenvalue": float(kmin)})
        if s == 0:
            entry["embedding_2d"] = (V0[:, :2] * np.sqrt(mu0[:2])).tolist()
        else:
            Kt = Kx[s].T
            Kt = Kt - K[0].mean(0)[None, :] - Kt.mean(1, keepdims=True) + K[0].mean()   # mirrors the core
            entry["embedding_2d"] = (Kt @ V0[:, :2] / np.sqrt(mu0[:2])).tolist()
            entry["principal_angles_deg"] = angles_deg(V0, mu0, m0, V, mu, m, Kx[s])
        if metric == "fixed-rank":
            entry["cross_stratum_pairs"] = cross_stratum(r.tolist())
            if s > 0:
                entry["cross_stratum_pairs_vs_clean"] = cross_stratum(ranks[0].tolist(), r.tolist())
            entry["fixed_rank_ambiguous_pairs"] = ambiguous[s]
        out["sets"].append(entry)
    if scan:
        out["bandwidth_scan"], per_set = bandwidth_scan(own, cross, h, scan, energy)
        for entry, e in zip(out["sets"], per_set):
            entry["bandwidth_scan"] = e
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


def dead_channel_latents(n, sigma, rng, offsets):
    """ReLU-like 64x7x7 latents: sample i has the 24 channels offsets[i] .. offsets[i] + 23 (mod 64)
    dead and 40 live ones of full rank, so two samples whose offsets differ by t <= 24 have ranges
    at right angles on t directions (mode 3)."""
    out = np.zeros((n, 64, 7, 7), dtype=np.float32)
    for i in range(n):
        pre = rng.standard_normal((64, 12)) @ rng.standard_normal((12, 49)) + 0.5 * rng.standard_normal((64, 49)) + 0.3
        z = np.maximum(0.0, pre + sigma * rng.standard_normal(pre.shape))
        z[(offsets[i] + np.arange(24)) % 64] = 0.0
        out[i] = z.reshape(64, 7, 7)
    return out


# Fields compared to TOL (scaled by the field's largest value, at least 1); the rest exactly.
NUMERIC = {"bandwidth", "effective_ranks", "kernel_spectrum", "kernel_min_eigenvalue", "embedding_2d",
           "principal_angles_deg", "bandwidths", "mean_angle_deg", "max_angle_deg"}


def compare_json(path, got, want, fails, worst):
    field = path.rsplit(".", 1)[-1].split("[")[0]
    if field in NUMERIC:
        g, w = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        if g.shape != w.shape:
            fails.append(f"{path}: shape {g.shape} != {w.shape}")
            return
        if not np.all(np.isfinite(g)):
            fails.append(f"{path}: not finite")
            return
        err = float(np.abs(g - w).max() / max(1.0, np.abs(w).max())) if w.size else 0.0
        worst[field] = max(worst.get(field, 0.0), err)
        if err > TOL:
            fails.append(f"{path}: max relative difference {err:.3g} > {TOL:g}")
        return
    if isinstance(want, dict):
        if not isinstance(got, dict):
            fails.append(f"{path}: {type(got).__name__}, want an object")
            return
        for key in sorted(set(got) ^ set(want)):
            fails.append(f"{path}.{key}: {'unexpected' if key in got else 'missing'}")
        for key in want:
            if key in got:
                compare_json(f"{path}.{key}", got[key], want[key], fails, worst)
        return
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            fails.append(f"{path}: {len(got) if isinstance(got, list) else got!r} items, want {len(want)}")
            return
        for i, (g, w) in enumerate(zip(got, want)):
            compare_json(f"{path}[{i}]", g, w, fails, worst)
        return
    if isinstance(want, bool) or isinstance(got, bool) or want is None or isinstance(want, str):
        ok = type(got) is type(want) and got == want
    else:   # numbers given or counted: exactly
        ok = isinstance(got, (int, float)) and not isinstance(got, bool) and got == want
    if not ok:
        fails.append(f"{path}: {got!r} != {want!r}")


def expected_json(paths, sets, opts, ref):
    """The whole JSON `strata geometry` should write for these inputs and options."""
    metric = opts.get("metric", "log-euclidean")
    params = {}
    if metric in ("log-euclidean", "affine-invariant"):
        params["spd_eps"] = opts.get("spd_eps", 1e-6)
    if metric == "fixed-rank":
        params["fixed_rank_k"] = opts.get("fixed_rank_k", 1.0)
    rtol = opts.get("rank_rtol")
    settings = {
        "metric": metric, "metric_params": params, "weights": list(opts.get("weights", (1.0, 1.0, 1.0))),
        "centered": opts.get("centered", True),
        "rank_rule": "s_i > s_1 * rank_rtol" if rtol is not None else "s_i > s_1 * max(I_n, m_n) * 2^-23",
        "rank_rtol": rtol, "bandwidth": ref["bandwidth"],
        "bandwidth_rule": "given" if "bandwidth" in opts else "median of clean pairwise distances",
        "energy": opts.get("energy", 0.95), "landmarks": 0, "dataset": "latents from .npy files (see inputs)",
        "inputs": [], "n": int(sets[0][1].shape[0]), "samples": "all samples of each file, in file order",
        "sigmas": [s for s, _ in sets], "seed": None, "vae_latent": None}
    if "bandwidth_scan" in opts:
        settings["bandwidth_scan"] = list(opts["bandwidth_scan"])
    if rtol is not None and rtol < 1e-7:
        settings["rank_rule_warning"] = "rank_rtol below 1e-7 is finer than the eigenvalue-based rank test resolves"
    for (sigma, Z), p in zip(sets, paths):
        with open(p, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        settings["inputs"].append({"path": p, "sigma": sigma, "sha256": digest, "dtype": Z.dtype.str})
    out_sets = []
    for entry, p in zip(ref["sets"], paths):
        out_sets.append(dict(entry, name=p))
    out = {"settings": settings, "sets": out_sets}
    if "bandwidth_scan" in ref:
        out["bandwidth_scan"] = ref["bandwidth_scan"]
    return out


FLAGS = {"metric": "--metric", "energy": "--energy", "centered": "--centered", "rank_rtol": "--rank-rtol",
         "bandwidth": "--bandwidth", "weights": "--weights", "spd_eps": "--spd-eps", "fixed_rank_k": "--fixed-rank-k",
         "bandwidth_scan": "--bandwidth-factors"}


def run_case(strata, workdir, tag, sets, opts, fails, worst):
    paths = []
    for sigma, Z in sets:
        p = os.path.join(workdir, f"{tag}-{sigma:g}.npy")
        np.save(p, Z)
        paths.append(p)
    out = os.path.join(workdir, f"{tag}.json")
    cmd = [strata, "geometry", "--quiet", "--clean", paths[0], "--out", out]
    cmd += [f"--noisy={s:g}={p}" for (s, _), p in zip(sets[1:], paths[1:])]
    for key, value in opts.items():
        text = (",".join(f"{w:g}" for w in value) if key in ("weights", "bandwidth_scan") else
                ("true" if value else "false") if key == "centered" else value if key == "metric" else f"{value:.17g}")
        cmd.append(f"{FLAGS[key]}={text}")
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    t_cpp = time.perf_counter() - t
    with open(out) as f:
        got = json.load(f)
    t = time.perf_counter()
    ref = analyse(sets, metric=opts.get("metric", "log-euclidean"), weights=opts.get("weights", (1, 1, 1)),
                  eps=opts.get("spd_eps", 1e-6), k=opts.get("fixed_rank_k", 1.0), energy=opts.get("energy", 0.95),
                  centered=opts.get("centered", True), rtol=opts.get("rank_rtol"), bandwidth=opts.get("bandwidth"),
                  scan=opts.get("bandwidth_scan"))
    t_ref = time.perf_counter() - t
    want = expected_json(paths, sets, opts, ref)
    before = len(fails)
    # The 2-D view needs distinct top eigenvalues (else its axes are any basis of their span).
    mu = ref["sets"][0]["kernel_spectrum"]
    if len(mu) > 2 and min(mu[0] - mu[1], mu[1] - mu[2]) < 1e-6 * mu[0]:
        fails.append(f"{tag}: the clean kernel's top eigenvalues are (nearly) equal: the case tests no 2-D view")
    if not isinstance(got.get("seconds"), (int, float)):
        fails.append(f"{tag}: seconds missing")
    got.pop("seconds", None)
    compare_json(tag, got, want, fails, worst)
    amb = [s.get("fixed_rank_ambiguous_pairs") for s in ref["sets"]]
    print(f"reference_geometry: {tag}: {len(sets)} sets of {sets[0][1].shape[0]} x "
          f"{'x'.join(map(str, sets[0][1].shape[1:]))}"
          + (f", 90-degree pairs {amb} (z up to {max(ref['zero_cosines'])})" if amb[0] is not None else "")
          + f" ({t_cpp:.1f} s C++, {t_ref:.1f} s numpy){'' if len(fails) == before else ': MISMATCH'}")
    return ref


def check(strata, workdir):
    os.makedirs(workdir, exist_ok=True)
    rng = np.random.default_rng(5)
    fails, worst = [], {}
    metrics = ("log-euclidean", "bures-wasserstein", "affine-invariant", "fixed-rank")
    # Small synthetic sets (a wide 24 x 16 mode-3 unfolding exercises the Gram route).
    base, clean = synthetic(40, (24, 4, 4), 0.0, rng)
    small = [(0.0, clean)] + [(s, synthetic(40, None, s, rng, base)[1]) for s in (0.05, 0.2)]
    for metric in metrics:
        n = 40 if metric == "log-euclidean" else 12
        run_case(strata, workdir, f"small-{metric}", [(s, Z[:n]) for s, Z in small], {"metric": metric}, fails, worst)
    # Every setting changed at once; then a given bandwidth and a mode of weight 0.
    for metric in metrics:
        n = 40 if metric == "log-euclidean" else 12
        opts = {"metric": metric, "centered": False, "weights": (0.5, 2.0, 1.25), "energy": 0.8, "rank_rtol": 1e-4}
        if metric in ("log-euclidean", "affine-invariant"):
            opts["spd_eps"] = 1e-4
        if metric == "fixed-rank":
            opts["fixed_rank_k"] = 0.5
        run_case(strata, workdir, f"settings-{metric}", [(s, Z[:n]) for s, Z in small], opts, fails, worst)
        # A given bandwidth of 1.5 times the median (a fixed number far from it would make K about I
        # or about 1 1^T, whose eigenvectors, and so the 2-D view, are not defined).
        opts = {"metric": metric, "weights": (1.0, 0.0, 3.0), "energy": 1.0}
        sub = [(s, Z[:n]) for s, Z in small]
        h = analyse(sub[:1], metric=metric, weights=opts["weights"])["bandwidth"]
        run_case(strata, workdir, f"bandwidth-{metric}", sub, dict(opts, bandwidth=float(f"{1.5 * h:.3g}")), fails, worst)
    # Full-rank latents and a rank_rtol below 1e-7: the warning, and ranks that do not depend on it.
    full = [(s, (clean[:12] + 0.3 * rng.standard_normal(clean[:12].shape)).astype(np.float32)) for s in (0.0, 0.1)]
    run_case(strata, workdir, "fine-rtol", full, {"rank_rtol": 5e-8}, fails, worst)
    # The shipped CAE's latents, 64x7x7: every metric.
    example = os.path.join(SOURCE, "models", "example")
    cae = [(s, np.load(os.path.join(example, f"cae_sigma{s:g}.npy"))) for s in (0.0, 0.1, 0.3)]
    for metric in metrics:
        n = 30 if metric == "log-euclidean" else 8
        run_case(strata, workdir, f"cae-{metric}", [(s, Z[:n]) for s, Z in cae], {"metric": metric}, fails, worst)
    # ReLU-like 64x7x7 latents with dead channels differing by 1 to 24 (zero cosines, both paths).
    offsets = [0, 1, 3, 6, 10, 15, 21, 28, 36]
    dead = [(0.0, dead_channel_latents(9, 0.0, np.random.default_rng(11), offsets)),
            (0.1, dead_channel_latents(9, 0.1, np.random.default_rng(11), offsets[::-1]))]
    ref = run_case(strata, workdir, "dead-fixed-rank", dead, {"metric": "fixed-rank"}, fails, worst)
    z = ref["zero_cosines"]
    if not (any(1 <= x <= ENUMERATE_MAX for x in z) and any(x > ENUMERATE_MAX for x in z)):
        fails.append(f"dead-fixed-rank: zero cosines per factor {z}: the case misses a path of the rule")
    run_case(strata, workdir, "dead-fixed-rank-settings", dead,
             {"metric": "fixed-rank", "fixed_rank_k": 2.0, "weights": (1.0, 0.5, 2.0), "centered": False}, fails, worst)
    for metric in ("bures-wasserstein", "affine-invariant", "log-euclidean"):
        run_case(strata, workdir, f"dead-{metric}", dead, {"metric": metric}, fails, worst)
    # The bandwidth scan: the default factors on the median bandwidth, other factors on a given one.
    run_case(strata, workdir, "scan-log-euclidean", small, {"bandwidth_scan": (0.25, 0.5, 1.0, 2.0, 4.0)}, fails, worst)
    sub = [(s, Z[:12]) for s, Z in small]
    h = analyse(sub[:1], metric="fixed-rank")["bandwidth"]
    run_case(strata, workdir, "scan-fixed-rank", sub,
             {"metric": "fixed-rank", "bandwidth": float(f"{1.5 * h:.3g}"), "bandwidth_scan": (0.3, 1.0, 3.0)},
             fails, worst)
    # 600 latents: the kernel's eigenproblems take the core's divide and conquer (from 512 rows on).
    base, clean = synthetic(600, (64, 7, 7), 0.0, rng)
    large = [(0.0, clean), (0.1, synthetic(600, None, 0.1, rng, base)[1])]
    run_case(strata, workdir, "large-log-euclidean", large, {}, fails, worst)
    print("reference_geometry: largest error per field (tolerance %g): " % TOL
          + ", ".join(f"{k} {v:.1e}" for k, v in sorted(worst.items())))
    for f in fails:
        print("MISMATCH", f)
    print(f"{0 if fails else 1} passed, {1 if fails else 0} failed")
    return 1 if fails else 0


# 5. --bench ------------------------------------------------------------------------------------------
def bench(n, repeat, save=None, load=None, nsets=7):
    sigmas = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3)[:max(0, nsets - 1)]
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
    print(f"reference_geometry: numpy {np.__version__} scipy {scipy.__version__}, N = {n}, {len(sets)} sets, "
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
    ap.add_argument("--sets", type=int, default=7, help="--bench: the clean set and the first SETS - 1 noisy ones")
    ap.add_argument("--save", help="--bench: also write the latents as DIR/clean.npy, DIR/sigma_<s>.npy")
    ap.add_argument("--load", help="--bench: read the latents from such a folder instead")
    a = ap.parse_args()
    if a.check:
        return check(a.strata, a.workdir)
    if a.bench:
        return bench(a.n, a.repeat, a.save, a.load, a.sets)
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
