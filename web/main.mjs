// main.mjs: the page's script. It starts the interface module (Dear ImGui in the canvas) and the
// worker that runs the study, passes results to the interface as they arrive, keeps the view
// state in the URL, and exposes window.strata for tests, benchmarks and the console.
//
// Index: 1. parameters from the URL  2. window.strata  3. the interface module
//        4. the worker and its messages  5. view state -> URL
//
// URL parameters (all optional): n (images, default 300), models (comma list of names), sigma
// (selected noise level), sample (selected sample index), seed, vae_latent (sample|mean), and
// the geometry settings of METHOD.md: metric, energy, rank_rtol, bandwidth, centered.
import createStrataApp from './strata_app.mjs';

// 1. Parameters ------------------------------------------------------------------------------------
const SIGMAS = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3];   // METHOD.md section 1
const url = new URL(location.href);
const q = (k) => url.searchParams.get(k);
const num = (k, d) => (q(k) === null || q(k) === '' || !Number.isFinite(Number(q(k))) ? d : Number(q(k)));
const params = {
  n: Math.max(2, Math.floor(num('n', 300))),
  seed: Math.max(0, Math.floor(num('seed', 0))),
  vae_latent: q('vae_latent') === 'mean' ? 'mean' : 'sample',
  sigmas: SIGMAS,
  models: q('models') ? q('models').split(',').filter(Boolean) : null,
  geometry: {
    metric: q('metric') ?? 'log-euclidean',
    energy: num('energy', 0.95),
    rank_rtol: q('rank_rtol') ? Number(q('rank_rtol')) : null,
    bandwidth: q('bandwidth') ? Number(q('bandwidth')) : null,
    centered: q('centered') !== 'false',
  },
};

// 2. window.strata --------------------------------------------------------------------------------------
let resolveReady, rejectReady;
const ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });
ready.catch(() => {});   // errors are reported on the console once, below
let app = null;
window.strata = {
  ready,                                   // resolves with the results when the default analysis is complete
  results: null,                           // `strata characterize` JSON; partial (sets so far) until ready
  timings: { load: null, inference: null, analysis: null, firstPanel: null, total: null },  // ms
  params,
  get fps() { return app ? app.viewState().fps : 0; },
  view() { return app ? app.viewState() : null; },   // sigma, selectedSample, modelsEnabled, widget rects
};

function fail(message) {
  console.error(`strata: ${message}`);
  document.getElementById('message').textContent = message;
  app?.setError(message);
  rejectReady(new Error(message));
}

if (!self.crossOriginIsolated) {
  fail('This page needs cross-origin isolation (SharedArrayBuffer): serve it with web/serve.mjs ' +
       '(COOP same-origin, COEP require-corp).');
} else {
  start().catch((e) => fail(String(e?.message ?? e)));
}

// 3. The interface module ----------------------------------------------------------------------------------
async function start() {
  app = await createStrataApp({ canvas: document.getElementById('canvas') });
  app.setProgress(0, 'loading models and sample images');
  runWorker();
  setInterval(syncUrl, 500);
}

// 4. The worker ----------------------------------------------------------------------------------------------
function runWorker() {
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
  const models = [];
  let cleanSeen = 0;
  worker.onerror = (e) => fail(`worker: ${e.message ?? 'failed to start'}`);
  worker.onmessage = ({ data: m }) => {
    switch (m.type) {
      case 'meta': {
        app.setGrid(m.sigmas, m.n);
        app.setLabels(m.labels);
        for (const md of m.models) models.push({ ...md, index: app.addModel(md.name, md.kind), sets: [] });
        window.strata.results = { settings: null, models: models.map((md) => ({ name: md.name, kind: md.kind, sets: md.sets })) };
        applyUrlView(m.sigmas);
        break;
      }
      case 'loaded':
        window.strata.timings.load = performance.now();   // navigation start -> models ready to run
        break;
      case 'progress':
        app.setProgress(m.fraction, m.status);
        break;
      case 'set': {
        app.setResult(models[m.model].index, m.k, m.set, m.bandwidth);
        models[m.model].sets[m.k] = m.set;
        if (m.k === 0 && ++cleanSeen === models.length) window.strata.timings.firstPanel = performance.now();
        break;
      }
      case 'done':
        window.strata.results = m.results;
        Object.assign(window.strata.timings, { inference: m.timings.inference, analysis: m.timings.analysis,
                                               total: performance.now() });
        worker.terminate();
        resolveReady(m.results);
        break;
      case 'error':
        fail(m.message);
        worker.terminate();
        break;
    }
  };
  worker.postMessage({ type: 'start', params });
}

// 5. View state <-> URL -------------------------------------------------------------------------------------------
function applyUrlView(sigmas) {
  if (q('sigma') !== null) {
    const s = Number(q('sigma'));
    let best = 0;
    sigmas.forEach((v, k) => { if (Math.abs(v - s) < Math.abs(sigmas[best] - s)) best = k; });
    app.setSigmaIndex(best);
  } else {
    app.setSigmaIndex(sigmas.indexOf(0.1) >= 0 ? sigmas.indexOf(0.1) : 0);   // the paper's noise level
  }
  if (q('sample') !== null) app.setSelectedSample(Math.floor(num('sample', -1)));
}

function syncUrl() {
  const v = app.viewState();
  const u = new URL(location.href);
  u.searchParams.set('sigma', String(v.sigma));
  if (v.selectedSample >= 0) u.searchParams.set('sample', String(v.selectedSample));
  else u.searchParams.delete('sample');
  if (u.href !== location.href) history.replaceState(null, '', u.href);
}
