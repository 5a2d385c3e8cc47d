// export.mjs: the page's downloads: results as JSON (the `strata characterize` structure) and as
// the two CSV tables `strata characterize --csv` writes, the canvas as PNG and one plot as PNG.
//
// Index: 1. number formatting (C's %.10g, as native_trainer/results_csv.cpp)  2. summary.csv
//        3. samples.csv  4. downloads
//
// The CSV columns and their order are those of results_csv.cpp, so a spreadsheet or script reads
// the page's tables and the CLI's alike.

// 1. %.10g -----------------------------------------------------------------------------------------
export function g10(x) {
  if (x === null || x === undefined) return '';
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, ex] = x.toExponential(9).split('e');
  const exp = Number(ex);
  const strip = (s) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= 10) return `${strip(mant)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return strip(x.toFixed(9 - exp));
}

// A text field, quoted when it holds a comma, a quote or a line break (RFC 4180).
const field = (s) => (/[,"\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const triple = (r) => r.join(' ');
// A model's name in the tables: a VAE's carries the latent it was studied with (vae/sample,
// vae/mean), as characterize_cmd.cpp writes it.
const modelLabel = (m) => field(m.variational ? `${m.name}/${m.vae_latent}` : m.name);

// 2. summary.csv: a row per set --------------------------------------------------------------------------
export function summaryCsv(results) {
  let out =
    'model,set,sigma,n,strata,smooth,top_stratum,top_stratum_count,mean_erank1,mean_erank2,mean_erank3,' +
    'hilbert_dim,kernel_min_eigenvalue,max_angle_deg,mean_angle_deg,cross_stratum_pairs,fixed_rank_ambiguous_pairs,' +
    'psnr_mean,psnr_std\n';
  for (const m of results.models) {
    for (const s of m.sets) {
      const er = [0, 0, 0];
      for (const e of s.effective_ranks) for (let k = 0; k < 3; k++) er[k] += e[k] / s.n;
      const a = s.principal_angles_deg ?? [];
      const mean = a.reduce((u, v) => u + v / a.length, 0);
      out +=
        [
          modelLabel(m),
          field(s.name),
          g10(s.sigma),
          s.n,
          s.strata.length,
          s.smooth ? 'true' : 'false',
          s.strata.length ? triple(s.strata[0].ranks) : '',
          s.strata.length ? s.strata[0].count : '',
          g10(er[0]),
          g10(er[1]),
          g10(er[2]),
          s.hilbert_dim,
          g10(s.kernel_min_eigenvalue),
          a.length ? g10(Math.max(...a)) : '',
          a.length ? g10(mean) : '',
          s.cross_stratum_pairs ?? '',
          s.fixed_rank_ambiguous_pairs ?? '',
          g10(s.psnr_mean),
          g10(s.psnr_std),
        ].join(',') + '\n';
    }
  }
  return out;
}

// 3. samples.csv: a row per sample and set -------------------------------------------------------------------
// `labels`: each sample's class index (-1: none), written as results_csv.cpp writes them.
export function samplesCsv(results, labels = []) {
  const rows = ['model,set,sigma,index,label,r1,r2,r3,erank1,erank2,erank3,x,y,psnr\n'];
  for (const m of results.models) {
    for (const s of m.sets) {
      for (let i = 0; i < s.n; i++) {
        rows.push(
          [
            modelLabel(m),
            field(s.name),
            g10(s.sigma),
            i,
            labels[i] >= 0 ? labels[i] : '',
            ...s.ranks[i],
            ...s.effective_ranks[i].map(g10),
            g10(s.embedding_2d[i][0]),
            g10(s.embedding_2d[i][1]),
            s.psnr ? g10(s.psnr[i]) : '',
          ].join(',') + '\n',
        );
      }
    }
  }
  return rows.join('');
}

// 4. Downloads ---------------------------------------------------------------------------------------------------
export function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

export function exportResults(kind, results, labels = []) {
  if (!results?.settings) return false; // nothing complete to export yet
  if (kind === 'json')
    download('strata-results.json', new Blob([JSON.stringify(results, null, 1)], { type: 'application/json' }));
  if (kind === 'csv') {
    download('summary.csv', new Blob([summaryCsv(results)], { type: 'text/csv' }));
    download('samples.csv', new Blob([samplesCsv(results, labels)], { type: 'text/csv' }));
  }
  return true;
}

// The canvas as PNG. Called by the interface module right after it drew a frame (the WebGL
// drawing buffer is only guaranteed intact within that task).
export function exportCanvas(canvas) {
  canvas.toBlob((blob) => blob && download('strata-view.png', blob), 'image/png');
}

// One plot as PNG: the canvas region (x, y, w, h in canvas pixels, the interface's coordinates)
// copied into a 2-D canvas of that size. Called by the interface module right after it drew the
// frame, as exportCanvas. Returns the region actually saved (clamped to the canvas).
export function exportPlot(canvas, x, y, w, h, name) {
  const x0 = Math.max(0, Math.round(x)),
    y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(canvas.width, Math.round(x + w)),
    y1 = Math.min(canvas.height, Math.round(y + h));
  if (x1 <= x0 || y1 <= y0) return null;
  const out = document.createElement('canvas');
  out.width = x1 - x0;
  out.height = y1 - y0;
  out.getContext('2d').drawImage(canvas, x0, y0, out.width, out.height, 0, 0, out.width, out.height);
  out.toBlob((blob) => blob && download(`strata-${name || 'plot'}.png`, blob), 'image/png');
  return { name, x: x0, y: y0, w: out.width, h: out.height };
}
