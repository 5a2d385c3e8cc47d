// parity.mjs: compares the page's results with `strata characterize`'s on the same files and
// settings: the results (window.strata.results against the JSON) and the CSV tables (the page's
// Export CSV against `characterize --csv`).
//
// Index: 1. tolerances  2. comparing numbers and arrays  3. settings  4. sets  5. compareStudies
//        6. CSV tables: reading them, the rule per column, compareCsv
//
// The parity rule: ranks, strata and Hilbert dimensions exactly, other numbers within 1e-4
// relative. The two runners' latents differ at round-off level (ONNX Runtime Web against
// LibTorch's kernels), so "relative" is taken against the scale of the quantity: an entry of an
// array (a spectrum, an embedding, an angle spectrum) is compared relative to the largest
// magnitude in that array, so that entries at round-off level near zero are not compared digit by
// digit.
//
// The bandwidth scan, when the study ran it, by the same rule: its dimensions exactly, its mean and
// largest angles within REL of each array's scale.
//
// One exception, principal angles: their summaries (mean and largest angle per set, what the page
// plots) are held to REL, single angles of the spectrum only to REL_SINGLE_ANGLE of the largest.
// Why: the kernel subspace bases are eigenvectors of Kc whose eigenvalues can lie close together,
// and a round-off change in the latents turns such eigenvectors enough to move a tail angle by more
// than REL, while the native core on identical latents agrees with itself far below it; so the
// spread is the runners' latents, not the page (docs/explorer.md, "Test", gives the measurement).

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

function flat(x) {
  return Array.isArray(x) ? x.flat(Infinity) : [x];
}

export function compareStudies(page, native) {
  const errors = [];
  const err = (where, what) => {
    if (errors.length < 40) errors.push(`${where}: ${what}`);
  };
  const eq = (where, a, b) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) err(where, `${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  };
  const num = (where, a, b, floor = 0, rel = REL) => {
    const fa = flat(a),
      fb = flat(b);
    if (fa.length !== fb.length) return err(where, `length ${fa.length} != ${fb.length}`);
    const scale = Math.max(floor, ...fa.map(Math.abs), ...fb.map(Math.abs));
    for (let i = 0; i < fa.length; i++)
      if (!close(fa[i], fb[i], scale, rel))
        return err(where, `[${i}] ${fa[i]} vs ${fb[i]} (scale ${scale}, rel ${rel})`);
  };
  const mean = (x) => (x.length ? x.reduce((u, v) => u + v, 0) / x.length : 0);

  // 3. Settings that determine the numbers (docs/method.md section 9).
  for (const k of ['split', 'images_sha256', 'n', 'seed', 'sigmas', 'clip', 'vae_latent'])
    eq(`settings.${k}`, page.settings[k], native.settings[k]);
  eq('settings.geometry', page.settings.geometry, native.settings.geometry);
  eq(
    'model names',
    page.models.map((m) => m.name),
    native.models.map((m) => m.name),
  );

  // 4. Per model and set.
  for (const nm of native.models) {
    const pm = page.models.find((m) => m.name === nm.name);
    if (!pm) continue;
    const w = nm.name;
    for (const k of ['kind', 'sha256', 'decoder_sha256', 'plan', 'normalisation', 'variational', 'vae_latent'])
      eq(`${w}.${k}`, pm[k], nm[k]);
    num(`${w}.bandwidth`, pm.bandwidth, nm.bandwidth);
    if (nm.bandwidth_scan || pm.bandwidth_scan) {
      const pb = pm.bandwidth_scan ?? {},
        nb = nm.bandwidth_scan ?? {};
      eq(`${w}.bandwidth_scan.factors`, pb.factors, nb.factors);
      eq(`${w}.bandwidth_scan.rule`, pb.rule, nb.rule);
      num(`${w}.bandwidth_scan.bandwidths`, pb.bandwidths ?? [], nb.bandwidths ?? []);
    }
    const { bandwidth: pb, ...pg } = pm.geometry,
      { bandwidth: nb, ...ng } = nm.geometry;
    eq(`${w}.geometry`, pg, ng);
    num(`${w}.geometry.bandwidth`, pb, nb);
    if (pm.sets.length !== nm.sets.length) {
      err(w, `${pm.sets.length} sets vs ${nm.sets.length}`);
      continue;
    }
    nm.sets.forEach((ns, i) => {
      const ps = pm.sets[i],
        s = `${w}.sets[${i}] (${ns.name})`;
      for (const k of [
        'name',
        'clean',
        'sigma',
        'n',
        'shape',
        'ranks',
        'strata',
        'smooth',
        'hilbert_dim',
        'cross_stratum_pairs',
        'cross_stratum_pairs_vs_clean',
      ])
        eq(`${s}.${k}`, ps[k], ns[k]);
      for (const k of ['effective_ranks', 'kernel_spectrum', 'embedding_2d', 'psnr_mean', 'psnr_std', 'psnr'])
        num(`${s}.${k}`, ps[k], ns[k]);
      if ('principal_angles_deg' in ns || 'principal_angles_deg' in ps) {
        const pa = ps.principal_angles_deg ?? [],
          na = ns.principal_angles_deg ?? [];
        num(`${s}.principal_angles_deg`, pa, na, 0, REL_SINGLE_ANGLE);
        num(`${s} mean angle`, mean(pa), mean(na));
        num(`${s} largest angle`, Math.max(0, ...pa), Math.max(0, ...na));
      }
      num(`${s}.kernel_min_eigenvalue`, ps.kernel_min_eigenvalue, ns.kernel_min_eigenvalue, ABS_MIN_EIG / REL);
      // The bandwidth scan when it ran (docs/method.md, "Bandwidth scan"): dimensions exactly, angles by REL.
      if (ns.bandwidth_scan || ps.bandwidth_scan) {
        const pb = ps.bandwidth_scan ?? {},
          nb = ns.bandwidth_scan ?? {};
        eq(`${s}.bandwidth_scan.hilbert_dim`, pb.hilbert_dim, nb.hilbert_dim);
        eq(`${s}.bandwidth_scan keys`, Object.keys(pb), Object.keys(nb));
        for (const k of ['mean_angle_deg', 'max_angle_deg'])
          if (k in nb) num(`${s}.bandwidth_scan.${k}`, pb[k] ?? [], nb[k]);
      }
      const extra = Object.keys(ps).filter((k) => !(k in ns));
      const missing = Object.keys(ns).filter((k) => !(k in ps));
      if (extra.length || missing.length) err(s, `fields differ: extra ${extra}, missing ${missing}`);
    });
  }
  return errors;
}

// 6. CSV tables -------------------------------------------------------------------------------------------
// Both programs write numbers as C's %.10g, so a number read back carries the value to 10
// significant digits, far below REL. The rule per column: the columns named in CSV_NUMBERS are
// numbers compared as the JSON fields they summarise (section 5); every other column (names,
// sigma as written, counts, ranks, booleans, and any column added later) must be the same text. A
// number field that is not finite ("nan", "inf") fails; an empty field (no angles for the clean set,
// no PSNR without a decoder) must be empty in both. `scale`: columns whose largest magnitude over a
// set's rows is the scale of each entry, as an array in compareStudies.
const ERANKS = ['erank1', 'erank2', 'erank3'];
const XY = ['x', 'y'];
export const CSV_NUMBERS = {
  'summary.csv': {
    mean_erank1: {},
    mean_erank2: {},
    mean_erank3: {},
    max_angle_deg: {},
    mean_angle_deg: {},
    psnr_mean: {},
    psnr_std: {},
    kernel_min_eigenvalue: { floor: ABS_MIN_EIG / REL },
  },
  'samples.csv': {
    erank1: { scale: ERANKS },
    erank2: { scale: ERANKS },
    erank3: { scale: ERANKS },
    x: { scale: XY },
    y: { scale: XY },
    psnr: {},
  },
};

// RFC 4180 text (as results_csv.cpp and web/export.mjs write it): {header, rows} of fields.
export function parseCsv(text) {
  const rows = [];
  let row = [],
    fieldText = '',
    quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        fieldText += '"';
        i++;
      } else if (c === '"') quoted = false;
      else fieldText += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(fieldText);
      fieldText = '';
    } else if (c === '\n') {
      row.push(fieldText);
      rows.push(row);
      row = [];
      fieldText = '';
    } else if (c !== '\r') fieldText += c;
  }
  if (fieldText !== '' || row.length) {
    row.push(fieldText);
    rows.push(row);
  }
  return { header: rows[0] ?? [], rows: rows.slice(1) };
}

// A field as a number: null when empty, NaN when not a finite number.
function csvNumber(text) {
  if (text === '') return null;
  const x = Number(text);
  return Number.isFinite(x) ? x : NaN;
}

// The page's table against characterize's, value by value; `name` is summary.csv or samples.csv.
// Returns the differences (empty: equal under the rule above).
export function compareCsv(name, pageText, nativeText) {
  const errors = [];
  const err = (what) => {
    if (errors.length < 40) errors.push(`${name}: ${what}`);
  };
  const page = parseCsv(pageText),
    native = parseCsv(nativeText);
  if (page.header.join() !== native.header.join()) err(`header ${page.header.join()} != ${native.header.join()}`);
  if (page.rows.length !== native.rows.length) err(`${page.rows.length} rows != ${native.rows.length}`);
  if (errors.length) return errors;
  const rules = CSV_NUMBERS[name] ?? {};
  const col = Object.fromEntries(native.header.map((h, j) => [h, j]));
  // The scale of a column group over the rows of one set (model and set name).
  const scales = new Map();
  for (const rows of [page.rows, native.rows]) {
    for (const r of rows) {
      for (const [h, rule] of Object.entries(rules)) {
        if (!rule.scale) continue;
        const key = `${r[col.model]}\u0000${r[col.set]}\u0000${rule.scale.join()}`;
        const v = csvNumber(r[col[h]]); // a non-finite field fails below; it sets no scale
        if (Number.isFinite(v)) scales.set(key, Math.max(scales.get(key) ?? 0, Math.abs(v)));
      }
    }
  }
  native.rows.forEach((nr, i) => {
    const pr = page.rows[i];
    const where = `row ${i + 2} (${nr.slice(0, col.index !== undefined ? 4 : 2).join(' ')})`;
    if (pr.length !== nr.length) return err(`${where}: ${pr.length} fields != ${nr.length}`);
    native.header.forEach((h, j) => {
      const rule = rules[h];
      if (!rule) {
        if (pr[j] !== nr[j]) err(`${where} ${h}: ${pr[j]} != ${nr[j]}`);
        return;
      }
      const a = csvNumber(pr[j]),
        b = csvNumber(nr[j]);
      if (a === null || b === null) {
        if (a !== b) err(`${where} ${h}: '${pr[j]}' != '${nr[j]}'`);
        return;
      }
      if (Number.isNaN(a) || Number.isNaN(b)) return err(`${where} ${h}: not a finite number ('${pr[j]}', '${nr[j]}')`);
      const scale = rule.scale
        ? (scales.get(`${nr[col.model]}\u0000${nr[col.set]}\u0000${rule.scale.join()}`) ?? 0)
        : (rule.floor ?? 0);
      if (!close(a, b, scale, REL)) err(`${where} ${h}: ${pr[j]} vs ${nr[j]} (scale ${scale}, rel ${REL})`);
    });
  });
  return errors;
}
