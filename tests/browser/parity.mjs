// parity.mjs: compares the page's results (window.strata.results) with `strata characterize`'s JSON.
//
// Index: 1. tolerances  2. comparing numbers and arrays  3. settings  4. sets  5. compareStudies
//
// The rule of issue 4: ranks, strata and Hilbert dimensions exactly, other numbers within 1e-4
// relative. Latents differ between the two runners (ONNX Runtime Web vs LibTorch ops, about 1e-6),
// so "relative" is taken against the scale of the quantity: an entry of an array (a spectrum, an
// embedding, an angle spectrum) is compared relative to the largest magnitude in that array, so
// that entries at round-off level near zero are not compared digit by digit.
//
// One measured exception, principal angles: their summaries (mean and largest angle per set, what
// the page plots) are held to 1e-4, but single angles of the spectrum only to 1e-3 of the largest.
// Why: the kernel subspace bases use eigenvectors of Kc whose eigenvalues are 1 % apart, and a
// 1e-6 change in the latents (the two runners) turns them enough to move a tail angle by up to
// 1e-2 degrees (CAE, centered = false, sigma 0.05, N = 60). The native core on the same latents
// agrees with itself to 1e-12 (split or whole analysis, 1 or 2 threads), so the spread is the
// runners' latents, not the page.

// 1. Tolerances ---------------------------------------------------------------------------------------
export const REL = 1e-4;
export const REL_SINGLE_ANGLE = 1e-3;
// kernel_min_eigenvalue is round-off of an N x N kernel with entries <= 1 when it is near zero.
const ABS_MIN_EIG = 1e-8;

// 2. Numbers -------------------------------------------------------------------------------------------
function close(a, b, scale, rel) {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), scale);
}

function flat(x) { return Array.isArray(x) ? x.flat(Infinity) : [x]; }

export function compareStudies(page, native) {
  const errors = [];
  const err = (where, what) => { if (errors.length < 40) errors.push(`${where}: ${what}`); };
  const eq = (where, a, b) => { if (JSON.stringify(a) !== JSON.stringify(b)) err(where, `${JSON.stringify(a)} != ${JSON.stringify(b)}`); };
  const num = (where, a, b, floor = 0, rel = REL) => {
    const fa = flat(a), fb = flat(b);
    if (fa.length !== fb.length) return err(where, `length ${fa.length} != ${fb.length}`);
    const scale = Math.max(floor, ...fa.map(Math.abs), ...fb.map(Math.abs));
    for (let i = 0; i < fa.length; i++)
      if (!close(fa[i], fb[i], scale, rel)) return err(where, `[${i}] ${fa[i]} vs ${fb[i]} (scale ${scale}, rel ${rel})`);
  };
  const mean = (x) => (x.length ? x.reduce((u, v) => u + v, 0) / x.length : 0);

  // 3. Settings that determine the numbers (METHOD.md section 9).
  for (const k of ['split', 'images_sha256', 'n', 'seed', 'sigmas', 'clip', 'vae_latent']) eq(`settings.${k}`, page.settings[k], native.settings[k]);
  eq('settings.geometry', page.settings.geometry, native.settings.geometry);
  eq('model names', page.models.map((m) => m.name), native.models.map((m) => m.name));

  // 4. Per model and set.
  for (const nm of native.models) {
    const pm = page.models.find((m) => m.name === nm.name);
    if (!pm) continue;
    const w = nm.name;
    for (const k of ['kind', 'sha256', 'decoder_sha256', 'variational', 'vae_latent']) eq(`${w}.${k}`, pm[k], nm[k]);
    num(`${w}.bandwidth`, pm.bandwidth, nm.bandwidth);
    const { bandwidth: pb, ...pg } = pm.geometry, { bandwidth: nb, ...ng } = nm.geometry;
    eq(`${w}.geometry`, pg, ng);
    num(`${w}.geometry.bandwidth`, pb, nb);
    if (pm.sets.length !== nm.sets.length) { err(w, `${pm.sets.length} sets vs ${nm.sets.length}`); continue; }
    nm.sets.forEach((ns, i) => {
      const ps = pm.sets[i], s = `${w}.sets[${i}] (${ns.name})`;
      for (const k of ['name', 'clean', 'sigma', 'n', 'shape', 'ranks', 'strata', 'smooth', 'hilbert_dim',
                       'cross_stratum_pairs', 'cross_stratum_pairs_vs_clean']) eq(`${s}.${k}`, ps[k], ns[k]);
      for (const k of ['effective_ranks', 'kernel_spectrum', 'embedding_2d', 'psnr_mean', 'psnr_std'])
        num(`${s}.${k}`, ps[k], ns[k]);
      if ('principal_angles_deg' in ns || 'principal_angles_deg' in ps) {
        const pa = ps.principal_angles_deg ?? [], na = ns.principal_angles_deg ?? [];
        num(`${s}.principal_angles_deg`, pa, na, 0, REL_SINGLE_ANGLE);
        num(`${s} mean angle`, mean(pa), mean(na));
        num(`${s} largest angle`, Math.max(0, ...pa), Math.max(0, ...na));
      }
      num(`${s}.kernel_min_eigenvalue`, ps.kernel_min_eigenvalue, ns.kernel_min_eigenvalue, ABS_MIN_EIG / REL);
      const extra = Object.keys(ps).filter((k) => !(k in ns));
      const missing = Object.keys(ns).filter((k) => !(k in ps));
      if (extra.length || missing.length) err(s, `fields differ: extra ${extra}, missing ${missing}`);
    });
  }
  return errors;
}
