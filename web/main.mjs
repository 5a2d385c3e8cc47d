// main.mjs: the page's script. It starts the interface module (Dear ImGui in the canvas) and the
// worker that runs the study, passes results to the interface as they arrive, keeps the view
// state in the URL, and exposes window.strata for tests, benchmarks and the console.
//
// Index: 1. parameters from the URL  2. window.strata  3. the interface module
//        4. the worker and its messages  5. settings changes (the panel's Apply, with an estimate and a
//        confirmation when long; cancelling a study), sample images, exports, t-SNE requests
//        6. view state <-> URL  7. dropped files (bring your own models and images)
//        8. find, neighbours and walk (the tabbed panel: its requests to the worker, its answers)
//
// The URL's query is the whole view state (study, geometry settings, selection, panel layout). It
// is read and written by the core's view_state.cpp through the interface module (parseViewState,
// formatViewState), which lists the parameters; values it cannot use are reported, not trusted.
import createStrataApp from './strata_app.mjs';
import { exportCanvas, exportPlot, exportResults } from './export.mjs';
import { installDrop, openChooser } from './drop.mjs';

// 1. Parameters ------------------------------------------------------------------------------------
const SIGMAS = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]; // docs/method.md section 1
let params = null; // {n, seed, vae_latent, sigmas, models, geometry}: what the worker computes
let initialView = null; // the URL's view part, applied once the first results arrive

function readUrl() {
  const v = app.parseViewState(location.search);
  params = {
    n: v.n,
    seed: v.seed,
    vae_latent: v.vae_latent,
    sigmas: SIGMAS,
    models: v.models.length ? v.models : null,
    geometry: v.geometry,
  };
  initialView = v;
  for (const line of v.problems) showMessage(line);
  app.setColorBy(v.color);
  app.setTsneShow(v.tsne);
  app.setLayout(v.layout);
}

// 2. window.strata --------------------------------------------------------------------------------------
let resolveReady, rejectReady;
const ready = new Promise((res, rej) => {
  resolveReady = res;
  rejectReady = rej;
});
ready.catch(() => {}); // errors are reported on the console once, below
let app = null;
window.strata = {
  ready, // resolves with the results when the default analysis (the URL's settings) is complete
  results: null, // `strata characterize` JSON; partial (sets so far) while computing
  timings: { load: null, inference: null, analysis: null, firstPanel: null, total: null }, // ms
  generation: 0, // completed studies: 1 after the first, +1 after each settings change
  busy: true,
  // Lines for the user, oldest first: dropped-file outcomes, files that could not load, ignored URL
  // values (each names the file or parameter and what is wrong).
  messages: [],
  waiting: null, // why nothing can be analysed yet (no usable model or images), else null
  // The last t-SNE view computed: {model, k, sigma, clean: [[x, y]...], noisy: [[x, y]...], kl, ms};
  // tsneCount counts the results (a new request is complete when it grows).
  tsne: null,
  tsneCount: 0,
  tsneProgress: null, // {iteration, total, kl} of the latest progress report
  lastPlotPng: null, // {name, x, y, w, h}: the canvas region of the last plot saved as PNG
  // The finding in one line, as the page shows it above its panels (wasm/app/app_summary.cpp computes
  // it from the results shown), e.g. "CAE, DAE: stratified when clean (7, 6 strata); VAE: one stratum
  // at every sigma".
  get summary() {
    return app ? app.viewState().summary : '';
  },
  get params() {
    return params;
  },
  // Frames/s while the interface draws frame after frame (e.g. the mouse moves); it draws only
  // when something can look different, so framesDrawn stands still while nothing happens.
  get fps() {
    return app ? app.viewState().fps : 0;
  },
  get framesDrawn() {
    return app ? app.viewState().framesDrawn : 0;
  },
  // Of those, the frames whose picture changed (sent to WebGL; an unchanged one is not).
  get framesPresented() {
    return app ? app.viewState().framesPresented : 0;
  },
  // When frames were built and presented, ms on performance.now()'s clock, those after `since`:
  // {built: Float64Array, presented: Float64Array} (frame rates measured frame by frame).
  frameTimes(since = -Infinity) {
    return app ? app.frameTimes(since) : { built: new Float64Array(0), presented: new Float64Array(0) };
  },
  view() {
    return app ? app.viewState() : null;
  }, // sigma, selectedSample, modelsEnabled, rects
  // A frame normally redraws only the rectangles whose picture changed (frameRedrawn in view():
  // the fraction of the canvas); this makes the next one draw all of it.
  redrawAll() {
    app?.redrawAll();
  },
  panels() {
    return app ? app.panels() : [];
  }, // [{title, x, y, w, h, collapsed}] of each panel
  // The estimate (ms) of the last settings change asked for, studies cancelled so far, and the last
  // cancel's times (performance.now(): the button taken, the study stopped).
  lastEstimate: null,
  cancelled: 0,
  lastCancel: null,
  // Stops the running study as the cancel button does (the last complete study's settings return).
  cancel() {
    cancelStudy();
  },
  // The layout audit (wasm/app/app_audit.cpp): every labelled item of the next drawn frame with its
  // rectangle and clipping rectangle, and every plot's tick labels.
  async audit() {
    app.requestAudit();
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => requestAnimationFrame(r));
      const items = app.auditItems();
      if (items) return items;
    }
    throw new Error('no audited frame was drawn');
  },
  // The straight path between clean samples a and b of a studied model (name or index) in k steps
  // (VAE: in mu): resolves with {model, latent, t, ranks, changes_stratum, outside_endpoints,
  // distance_to_data, nearest, ..., latents: Float32Array, images: Float32Array (k decoded images) or
  // null without a decoder, shape, image}; rejects with the reason.
  interpolate(model, a, b, k = 9) {
    return ask({ type: 'interpolate', model, a, b, steps: k });
  },
  // The k nearest clean samples of sample i: {latent: [{index, distance}], kernel: [...], kernel_dim}.
  neighbours(model, i, k = 8) {
    return ask({ type: 'neighbours', model, index: i, k });
  },
  // The find, neighbours and walk panel, driven as a user would (section 8).
  select(i) {
    app.setSelectedSample(i);
  },
  selectClass(c) {
    app.setFind(`class:${c}`);
  },
  selectStratum([r1, r2, r3]) {
    app.setFind(`stratum:${r1}-${r2}-${r3}`);
  },
  clearFind() {
    app.setFind('');
  },
  isolate(on) {
    app.setIsolate(!!on);
  },
  showTab(name) {
    app.setWalkTab(['find', 'neighbours', 'walk'].indexOf(name));
  },
  // Walks A -> B in k steps for every studied model, as the panel's walk button does; resolves with
  // the panel's state once the worker has answered every model (decoded steps included).
  walk(a, b, k = 9) {
    const before = app.walkState().serial;
    app.setWalk(a, b, k);
    const serial = app.walkState().serial;
    if (serial === before) return Promise.reject(new Error(`walk: ${a} -> ${b} is outside the samples`));
    return walkDone(serial);
  },
  // The panels' state: {a, b, steps, picking, serial, askedMs, firstMs, doneMs, tab, models: [{name, latent,
  // path, t, ranks, changes, distance, coords, decoded, error}]}; the neighbours shown; the selection set.
  walkState() {
    return app ? app.walkState() : null;
  },
  neighboursState() {
    return app ? app.neighboursState() : null;
  },
  findState() {
    return app ? app.findState() : null;
  },
  // The core alone on each model's whole study in one call (for benchmarks): [{model, ms, stages}].
  benchCore() {
    return new Promise((resolve) => {
      benchWaiters.push(resolve);
      worker.postMessage({ type: 'benchCore' });
    });
  },
};
const benchWaiters = [];
// Requests answered by id (interpolate, neighbours).
const askWaiters = new Map();
let askId = 0;
function ask(message) {
  return new Promise((resolve, reject) => {
    if (!worker) return reject(new Error('the worker has not started'));
    const id = ++askId;
    askWaiters.set(id, { resolve, reject });
    worker.postMessage({ ...message, id });
  });
}
function answer(m) {
  const w = askWaiters.get(m.id);
  if (!w) return;
  askWaiters.delete(m.id);
  if (m.error) w.reject(new Error(m.error));
  else w.resolve(m);
}

// An error that stops the page: in the messages (the panel and window.strata.messages) and on
// the console; in the page's HTML only when the interface itself could not start.
function fail(message) {
  console.error(`strata: ${message}`);
  if (!app) document.getElementById('message').textContent = message;
  showMessage(message);
  app?.setError(message);
  rejectReady(new Error(message));
}

// 3. The interface module ----------------------------------------------------------------------------------
async function start() {
  const canvas = document.getElementById('canvas');
  canvas.addEventListener('contextmenu', (e) => e.preventDefault()); // right-click opens plot menus
  // The worker first: it loads the models and images (web/worker.mjs, preload) while this thread
  // compiles the interface module; the study starts once the URL is read (runWorker).
  newWorker();
  app = await createStrataApp({
    canvas,
    // The interface's WebGL2 context, made here for its attributes: an opaque canvas without depth
    // and stencil buffers (software GL fills each on every frame), and a drawing buffer kept
    // between frames, so that a frame draws only the rectangles whose picture changed
    // (app_present.cpp). Made when the module starts, not before: making a context holds this
    // thread while the GPU process sets it up, which would delay the worker's loading. (Without
    // WebGL2 the module reports it: app_main.cpp.)
    preRun: [
      (module) => {
        module.preinitializedWebGLContext =
          canvas.getContext('webgl2', {
            alpha: false,
            depth: false,
            stencil: false,
            antialias: false,
            preserveDrawingBuffer: true,
          }) ?? undefined;
      },
    ],
    onCanvasDrawn: () => exportCanvas(canvas),
    onCancel: () => cancelStudy(),
    onWalkRequest: () => serviceWalkPanel(),
    onPlotDrawn: (x, y, w, h, name) => {
      window.strata.lastPlotPng = exportPlot(canvas, x, y, w, h, name);
    },
  });
  // The interface draws on demand (wasm/app/app_main.cpp): any input asks for frames, and tells
  // the worker when the user last did something (it then leaves the interface part of the cores).
  const onInput = () => {
    app.requestFrames();
    if (lastInput) lastInput[0] = Date.now();
  };
  for (const type of [
    'pointermove',
    'pointerdown',
    'pointerup',
    'pointercancel',
    'wheel',
    'keydown',
    'keyup',
    'focus',
    'blur',
    'resize',
  ])
    window.addEventListener(type, onInput, { capture: true, passive: true });
  // Where a press happened, in canvas pixels: the next frame sees it there even if the pointer
  // has moved on by then (a quick press and drag).
  canvas.addEventListener(
    'pointerdown',
    (e) => {
      const r = canvas.getBoundingClientRect();
      app.pointerPressed(e.clientX - r.left, e.clientY - r.top);
    },
    { passive: true },
  );
  appReadyAt = performance.now();
  readUrl();
  if (!self.crossOriginIsolated)
    showMessage(
      'This host does not isolate the page (no COOP/COEP headers): computing on one thread. ' +
        'scripts/serve.sh serves it with both cores.',
    );
  app.setSettings(params);
  app.setProgress(0, 'loading models and sample images');
  runWorker();
  installDrop(onDrop);
  setInterval(tick, 250);
}

// 4. The worker ----------------------------------------------------------------------------------------------
let worker = null,
  studyStart = 0,
  appReadyAt = null;
// Date.now() of the user's last input, shared with the worker (shared memory needs cross-origin
// isolation; without it ONNX Runtime runs on one thread and leaves a core to the interface anyway).
const lastInput = self.crossOriginIsolated ? new Float64Array(new SharedArrayBuffer(8)) : null;
let models = []; // {name, kind, dropped, index, sets} per model, in the worker's order
let studyLabels = []; // each sample's class index (-1: none), for samples.csv

function newWorker() {
  worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
  if (lastInput) worker.postMessage({ type: 'input', lastInput });
  worker.postMessage({ type: 'cancelChannel' });
}

function runWorker() {
  worker.onerror = (e) => fail(`worker: ${e.message ?? 'failed to start'}`);
  worker.onmessage = ({ data: m }) => handlers[m.type]?.(m);
  startStudy();
}

let studySerial = 0; // counts studies started: a t-SNE asked before the latest start is stale
let doneParams = null; // the parameters of the last complete study (a cancelled one returns to them)
function startStudy(estimateMs = 0) {
  studySerial++;
  studyStart = performance.now();
  window.strata.busy = true;
  app.setBusy(true);
  app.setEstimate(estimateMs);
  worker.postMessage({ type: 'start', params });
}

// Cancelling: with threads the worker's memory is shared and the core's cancel flag is set here, so
// even a long core call stops within a work item; the worker answers 'cancelled' and keeps what it
// loaded and encoded. Without threads (a host without cross-origin isolation) the worker is stopped
// and a new one loads the bundled models and sample again; dropped files must then be dropped again.
// Either way the last complete study's settings come back and are computed again.
let cancelFlag = null; // Int32Array on the worker's memory and the index of the flag
function cancelStudy() {
  if (!window.strata.busy || window.strata.dropping) return;
  app.setProgress(0, 'cancelling...');
  window.strata.lastCancel = { asked: performance.now(), stopped: null };
  if (cancelFlag) {
    Atomics.store(cancelFlag.heap, cancelFlag.index, 1);
    return;
  }
  worker.terminate();
  newWorker();
  worker.onerror = (e) => fail(`worker: ${e.message ?? 'failed to start'}`);
  worker.onmessage = ({ data: m }) => handlers[m.type]?.(m);
  showMessage('dropped files are not kept by a cancel on this host (one thread): drop them again');
  afterCancel();
}
function afterCancel() {
  if (window.strata.lastCancel) window.strata.lastCancel.stopped = performance.now();
  window.strata.cancelled++;
  showMessage('study cancelled: the last complete study is computed again');
  params = doneParams ?? params;
  app.setSettings(params);
  startStudy();
}

let stripKey = null; // the (model/sigma index/sample) of the last sample-images request
const handlers = {
  meta(m) {
    // Keep the user's toggles and view across reruns (matched by model name).
    const was = app.viewState();
    const enabled = new Map(models.map((md, i) => [md.name, was.modelsEnabled[i]]));
    const viewName = models[was.kpcaModel]?.name;
    app.clearModels();
    params = { ...params, n: m.n }; // dropped images, or a sample smaller than the URL's N
    app.setGrid(m.sigmas, m.n);
    app.setLabels(m.labels, m.classNames);
    studyLabels = m.labels;
    app.clearImages();
    for (const im of m.images) app.setCleanImages(im.shape, im.bytes);
    stripKey = null; // N or the images may have changed: ask again
    models = m.models.map((md) => ({
      ...md,
      index: app.addModel(md.name, md.kind, md.input, md.latentRule ?? '', md.architecture ?? ''),
      sets: [],
    }));
    app.setAvailableModels(m.available);
    window.strata.results = {
      settings: null,
      models: models.map((md) => ({ name: md.name, kind: md.kind, sets: md.sets })),
    };
    if (window.strata.generation === 0) applyInitialView(m.sigmas);
    else
      models.forEach((md, i) => {
        if (enabled.has(md.name)) app.setModelEnabled(i, enabled.get(md.name));
        if (md.name === viewName) app.setKpcaModel(i);
      });
  },
  loaded(m) {
    if (window.strata.generation === 0) {
      window.strata.timings.load = performance.now(); // navigation -> models ready
      // When each loading step ended, ms since navigation (the worker's clocks are absolute).
      window.strata.timings.loadSteps = Object.fromEntries(
        Object.entries({ appModule: appReadyAt, ...m.loadSteps }).map(([k, v]) => [
          k,
          Math.round(k === 'appModule' ? v : v - performance.timeOrigin),
        ]),
      );
    }
    window.strata.ortThreads = m.ortThreads;
  },
  progress(m) {
    app.setProgress(m.fraction, m.status);
  },
  // Files that could not be used (each line names the file and what is wrong); the study goes on.
  notice(m) {
    for (const line of m.messages) showMessage(line);
  },
  // Nothing valid to analyse (no usable model or no images): the page stays up for dropped files.
  waiting(m) {
    showMessage(m.reason);
    app.setProgress(0, m.reason);
    window.strata.busy = false;
    window.strata.waiting = m.reason;
    app.setBusy(false);
    if (window.strata.generation === 0) rejectReady(new Error(m.reason));
    nextDrop();
  },
  sample(m) {
    app.setSampleStrip(m.key, m.shape, m.clean, m.noisy, m.recon, m.psnr);
  },
  benchCore(m) {
    benchWaiters.shift()?.(m.out);
  },
  // A model the study could not run at one noise level: marked failed in the models panel, its
  // reason (naming the file) in the messages; the worker goes on with the other models.
  failed(m) {
    const md = models[m.model];
    md.failed = m.reason;
    app.setModelFailed(md.index, m.reason);
    showMessage(`model '${md.name}' failed at sigma = ${m.sigma} and is left out of this study: ${m.reason}`);
  },
  set(m) {
    // A dropped model without a decoder has null PSNR (as in the JSON); the interface takes NaN.
    const forApp = m.set.psnr_mean === null ? { ...m.set, psnr_mean: NaN, psnr_std: NaN } : m.set;
    app.setResult(models[m.model].index, m.k, forApp, m.bandwidth);
    models[m.model].sets[m.k] = m.set;
  },
  done(m) {
    doneParams = params;
    app.setEstimate(0);
    window.strata.waiting = null;
    window.strata.results = m.results;
    if (window.strata.generation === 0) {
      Object.assign(window.strata.timings, {
        inference: m.timings.inference,
        analysis: m.timings.analysis,
        total: performance.now(),
      });
      stampFirstPanel();
    }
    window.strata.lastRun = { ms: performance.now() - studyStart, ...m.timings };
    window.strata.generation++;
    window.strata.busy = false;
    app.setBusy(false);
    app.setSettings(params);
    if (window.strata.generation === 1) resolveReady(m.results);
    if (window.strata.generation === 1) startInitialWalk();
    nextDrop();
  },
  cancelled() {
    afterCancel();
  },
  cancelChannel(m) {
    cancelFlag = m.memory ? { heap: new Int32Array(m.memory), index: m.index } : null;
  },
  // A settings change's estimate: run now (the interface shows the time left when it is over
  // SHOW_MS), or ask first when it is longer than CONFIRM_MS.
  estimate(m) {
    const next = pendingSettings;
    pendingSettings = null;
    if (!next) return;
    window.strata.lastEstimate = m.ms;
    if (m.ms > CONFIRM_MS) {
      confirmParams = { params: next, ms: m.ms };
      const g = next.geometry;
      app.askConfirm(m.ms, `${g.metric}, N = ${next.n}, ${models.length} models x ${next.sigmas.length} noise levels`);
      window.strata.busy = false;
      app.setBusy(false);
      return;
    }
    params = next;
    startStudy(m.ms > SHOW_MS ? m.ms : 0);
  },
  dropped(m) {
    for (const line of m.messages) showMessage(line);
    window.strata.dropping = false;
    if (m.changed) {
      if (m.n !== null) params = { ...params, n: m.n }; // dropped images: N is their count
      startStudy();
    } else window.strata.busy = false;
    if (!window.strata.busy) nextDrop();
  },
  interpolate: answer,
  neighbours: answer,
  walkPath(m) {
    app.setWalkPath(m.serial, m.model, m);
  },
  walkStep(m) {
    app.setWalkStep(m.serial, m.model, m.step, m.image);
  },
  walkDone(m) {
    app.setWalkDone(m.serial);
    for (const w of walkWaiters.filter((x) => x.serial === m.serial)) w.resolve(app.walkState());
    walkWaiters = walkWaiters.filter((x) => x.serial !== m.serial);
  },
  tsneProgress(m) {
    app.setTsneProgress(m.iteration, m.total);
    window.strata.tsneProgress = { iteration: m.iteration, total: m.total, kl: m.kl };
  },
  tsne(m) {
    if (m.serial !== studySerial) return; // of data a newer study replaced: its view asks again
    if (m.error) {
      showMessage(m.error);
      app.setTsne(m.model, m.k, new Float64Array(0), 0);
      return;
    }
    app.setTsne(m.model, m.k, m.coords, m.nClean);
    const pts = (from, to) =>
      Array.from({ length: to - from }, (_, i) => [m.coords[2 * (from + i)], m.coords[2 * (from + i) + 1]]);
    window.strata.tsne = {
      model: models[m.model]?.name,
      k: m.k,
      sigma: params.sigmas[m.k],
      clean: pts(0, m.nClean),
      noisy: pts(m.nClean, m.coords.length / 2),
      iterations: m.iterations,
      kl: m.kl,
      ms: m.ms,
    };
    window.strata.tsneCount++;
  },
  error(m) {
    fail(m.message);
    window.strata.dropping = false;
    window.strata.busy = false;
    app.setBusy(false);
  },
};

// The first complete panel: the interface stamps the first presented frame that drew every
// model's clean set (app_main.cpp), which is when the user sees it, not when the data arrived.
function stampFirstPanel() {
  const t = app.viewState().firstCompleteFrame;
  if (window.strata.timings.firstPanel === null && t >= 0) window.strata.timings.firstPanel = t;
}

// 5. Settings changes: the panel's Apply hands over the edited settings; the worker estimates the
// time first, shown while the study runs when it is over SHOW_MS (with the cancel button, always),
// and a run longer than CONFIRM_MS waits for the user's yes (the interface asks with the estimate);
// then the worker reruns what depends on them (all geometry for a geometry setting;
// the networks too for N or vae_latent).
// Also asks the worker for the selected sample's images when the selection changes.
const SHOW_MS = 5000,
  CONFIRM_MS = 30000;
let pendingSettings = null, // asked for, waiting for the worker's estimate
  confirmParams = null; // estimated long, waiting for the user's answer: {params, ms}
function tick() {
  if (window.strata.generation === 0) stampFirstPanel();
  const req = app.takeSettingsRequest();
  if (req && !window.strata.busy) {
    pendingSettings = { ...params, n: req.n, vae_latent: req.vae_latent, geometry: { ...req.geometry } };
    window.strata.busy = true; // until the estimate's answer
    app.setBusy(true);
    worker.postMessage({ type: 'estimate', params: pendingSettings });
  }
  const answer = app.takeConfirmAnswer();
  if (answer && confirmParams) {
    const c = confirmParams;
    confirmParams = null;
    if (answer > 0 && !window.strata.busy) {
      params = c.params;
      startStudy(c.ms);
    } else app.setSettings(params); // the settings panel shows what the results were computed with
  }
  const open = app.takeOpenRequest();
  if (open) openChooser(open);
  // A bundled model added from the models panel: the study's models plus it (the URL keeps the list).
  const addModel = window.strata.busy ? '' : app.takeAddModelRequest(); // waits for the study's end
  if (addModel) {
    params = { ...params, models: [...models.filter((md) => !md.dropped).map((md) => md.name), addModel] };
    startStudy();
  }
  const exportKind = app.takeExportRequest();
  if (exportKind) exportResults(exportKind, window.strata.results, studyLabels);
  serviceWalkPanel();
  const tsneReq = app.takeTsneRequest(); // the t-SNE view asked (the worker answers between studies)
  if (tsneReq) worker.postMessage({ type: 'tsne', model: tsneReq.model, k: tsneReq.k, serial: studySerial });
  const v = app.viewState();
  if (v.selectedSample >= 0 && models[v.kpcaModel] && window.strata.timings.load !== null) {
    const key = `${models[v.kpcaModel].name}/${v.sigmaIndex}/${v.selectedSample}`; // as app_panels.cpp builds it
    if (key !== stripKey) {
      stripKey = key;
      worker.postMessage({ type: 'sample', model: v.kpcaModel, k: v.sigmaIndex, index: v.selectedSample, key });
    }
  }
  syncUrl();
}

// 6. View state <-> URL -------------------------------------------------------------------------------------------
function applyInitialView(sigmas) {
  const s = initialView.sigma ?? 0.1; // default: the paper's noise level
  let best = 0;
  sigmas.forEach((v, k) => {
    if (Math.abs(v - s) < Math.abs(sigmas[best] - s)) best = k;
  });
  app.setSigmaIndex(best);
  if (initialView.sample >= 0) app.setSelectedSample(initialView.sample);
  applyInitialWalk();
  const names = models.map((md) => md.name);
  for (const name of [...initialView.hide, ...(initialView.view ? [initialView.view] : [])])
    if (!names.includes(name)) showMessage(`URL: no model '${name}' is loaded; its view setting is ignored`);
  models.forEach((md, i) => {
    if (initialView.hide.includes(md.name)) app.setModelEnabled(i, false);
    if (md.name === initialView.view) app.setKpcaModel(i);
  });
}

// The canonical query of the current state (the core's format_view_state); replaces the URL
// without a history entry when it changed.
function syncUrl() {
  const v = app.viewState();
  const state = {
    ...params,
    models: params.models ?? [],
    sigma: v.sigma,
    sample: v.selectedSample,
    color: app.colorBy(),
    tsne: v.tsne.show,
    layout: app.layout(),
    hide: models.filter((md, i) => !v.modelsEnabled[i]).map((md) => md.name),
    ...walkUrlState(),
    view: models.length && v.kpcaModel > 0 ? (models[v.kpcaModel]?.name ?? '') : '',
  };
  if (!models.length)
    Object.assign(state, {
      sigma: initialView.sigma,
      hide: initialView.hide,
      view: initialView.view,
      find: initialView.find,
      isolate: initialView.isolate,
      walk: initialView.walk,
      steps: initialView.steps,
    });
  const q = app.formatViewState(state);
  const href = location.pathname + (q ? '?' + q : '') + location.hash;
  if (href !== location.pathname + location.search + location.hash) history.replaceState(null, '', href);
}

// 7. Dropped files ------------------------------------------------------------------------------------------------
// The worker checks them (one study at a time: a drop during a study waits for its end). Each
// outcome is one line in window.strata.messages and in the page's message box; a valid model or
// image set reruns the study, which keeps everything already loaded.
const pendingDrops = [];
function onDrop(files) {
  pendingDrops.push(files);
  nextDrop();
}

function nextDrop() {
  if (window.strata.busy || window.strata.dropping || !pendingDrops.length) return;
  const files = pendingDrops.shift();
  window.strata.dropping = true;
  window.strata.busy = true;
  showMessage(`checking ${files.map((f) => f.name).join(', ')}`);
  worker.postMessage(
    { type: 'drop', files },
    files.map((f) => f.bytes.buffer),
  );
}

// Messages are shown in the interface's messages panel; the page's live region (index.html) holds the
// last few for screen readers, which cannot read the canvas.
function showMessage(line) {
  window.strata.messages.push(line);
  app?.addMessage(line);
  const box = document.getElementById('drop-messages');
  box.textContent = window.strata.messages.slice(-6).join('\n');
}

// 8. Find, neighbours and walk ----------------------------------------------------------------------------------
// The panel (wasm/app/app_walk.cpp) makes requests and calls onWalkRequest at once; they are taken
// here and sent to the worker, whose answers come back piece by piece (handlers walkPath, walkStep,
// walkDone, and the neighbours' answer below).
let walkWaiters = []; // {serial, resolve} of window.strata.walk calls
function walkDone(serial) {
  return new Promise((resolve) => walkWaiters.push({ serial, resolve }));
}

function serviceWalkPanel() {
  if (!app || !worker) return;
  const w = app.takeWalkRequest();
  if (w) worker.postMessage({ type: 'walk', ...w });
  const nb = app.takeNeighboursRequest();
  if (nb)
    ask({ type: 'neighbours', model: nb.model, index: nb.index, k: nb.k }).then(
      (r) => app.setNeighbours(nb.key, r),
      (e) => app.setNeighbours(nb.key, { error: String(e?.message ?? e) }),
    );
}

// The selection set, its isolation and the walk's endpoints, for the URL (the core's view_state).
function walkUrlState() {
  const f = app.findState();
  const w = app.walkState();
  return {
    find: f.find,
    isolate: f.isolate,
    walk: w.a >= 0 && w.b >= 0 ? [w.a, w.b] : null,
    steps: w.steps,
  };
}

// A link's selection and walk: the set at once, the walk once the first study is complete.
function applyInitialWalk() {
  app.setFind(initialView.find);
  app.setIsolate(initialView.isolate);
  if (initialView.walk) app.setWalkEnds(initialView.walk[0], initialView.walk[1], initialView.steps);
  else app.setWalkEnds(-1, -1, initialView.steps);
}
function startInitialWalk() {
  const w = initialView?.walk;
  if (w && w[0] < params.n && w[1] < params.n) app.setWalk(w[0], w[1], initialView.steps);
}

// Last, once every declaration above is in place.
start().catch((e) => fail(String(e?.message ?? e)));
