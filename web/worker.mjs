// worker.mjs: the study, off the interface thread. The page (main.mjs) starts it with the
// parameters; it answers with progress and results, set by set.
//
// Index: 1. runtimes (ONNX Runtime Web, the core module)  2. loading (manifest, IDX images, models,
//        each model's plan)  3. encode + decode one noise level (batched, as characterize.cpp)  4. the study loop, with
//        what a settings change can reuse (and cancelling it)  4b. a study's estimate  5. the results JSON (the fields of `strata characterize`)
//        6. one sample's images for the interface's strip  6b. t-SNE on request
//        6c. interpolation between two samples and neighbours of one, on request  6d. the walk panel's
//        paths, step by step  7. dropped files
//        (bring your own models and images)  8. messages
//
// Why it mirrors native_trainer/characterize.cpp step by step: the parity test compares this
// worker's JSON with `strata characterize` on the same files, field by field. Noise, VAE sampling,
// PSNR, hashes and the whole geometry come from the core module (strata_worker: the same C++ as
// the native program); only the networks run in ONNX Runtime Web instead of LibTorch.
//
// Messages out: {type: 'meta' | 'loaded' | 'progress' | 'set' | 'failed' | 'done' | 'cancelled' | 'error' |
// 'dropped' | 'tsneProgress' | 'tsne' | 'estimate' | 'cancelChannel' | 'interpolate' | 'neighbours', ...}.
// 'meta' lists the studied models as {name, kind, dropped, input:
// [C, H, W], latentRule}: how each is run, from its plan.
import * as ort from './ort.wasm.min.mjs';
import { fileKind, isDecoderName, modelName, settingsModelName } from './userfiles.mjs';

const BATCH = 100; // images per encoder/decoder call (characterize's --batch default)
// Threads need cross-origin isolation (web/serve.mjs sends the headers). On any other static host
// the page still works: the core's single-threaded build and ONNX Runtime Web on one thread.
const ISOLATED = self.crossOriginIsolated === true;
const CORE_THREADS = ISOLATED ? 2 : 1; // 2: the module's pthread pool (wasm/app/CMakeLists.txt)
// Noisy latents are kept for reruns (a geometry change then needs no inference) up to this many
// bytes in all; beyond (large N), only the clean latents are kept and a rerun encodes again.
const LATENT_CACHE_BYTES = 256 * 2 ** 20;

// 1. Runtimes ------------------------------------------------------------------------------------
const base = new URL('./', import.meta.url).href;
ort.env.wasm.wasmPaths = base;
ort.env.wasm.numThreads = ISOLATED ? Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1)) : 1;
let corePromise = null;
const core = () =>
  (corePromise ??= import(ISOLATED ? './strata_worker.mjs' : './strata_worker_st.mjs').then((module) =>
    module.default({ locateFile: (f) => base + f }),
  ));

const post = (msg) => self.postMessage(msg);

// Cancelling a study: the page's cancel button sets the core's cancel flag (wasm/core/cancel.hpp).
// With threads the module's memory is shared, so the page sets it while a long core call runs
// (the core polls it between work items); this worker checks it between its own steps too. Without
// threads the page stops this worker instead (main.mjs).
class Cancelled extends Error {}
let cancelView = null; // Int32Array on the module's memory and the flag's index in it
async function cancelRequested() {
  const m = await core();
  cancelView ??= { heap: m.HEAP32, index: m.cancelFlagAddress() / 4 };
  if (cancelView.heap.buffer !== m.HEAP32.buffer) cancelView.heap = m.HEAP32; // the memory grew
  return cancelView.heap[cancelView.index] !== 0; // set by the page through shared memory, or by setCancel
}
async function checkCancel() {
  if (await cancelRequested()) throw new Cancelled('cancelled by the user');
}
// ONNX Runtime sessions take one run at a time: the study and the sample strip's requests (which
// arrive while the study awaits) go through this queue.
let queue = Promise.resolve();
function exclusive(fn) {
  const p = queue.then(fn);
  queue = p.catch(() => {});
  return p;
}
const now = () => performance.now();

// The interface first: while the user interacts (an input in the last 300 ms; the page shares
// the time of its last input), the study pauses after each batch and each analysis for half as
// long as that step took, leaving the interface about a third of the cores. Why: in a software-GL
// browser the frames themselves cost CPU on the same cores (the GPU process fills the redrawn
// pixels, wasm/app/app_present.cpp); half pauses keep the interface above its frame-rate target
// while the study still ends soon, where longer pauses slow the study and shorter ones the
// interface (docs/explorer.md has the measurements). Untouched, the study runs flat out.
let lastInput = null; // Float64Array on shared memory (main.mjs), or null
async function yieldToInterface(stepMs) {
  if (lastInput && Date.now() - lastInput[0] < 300) await new Promise((r) => setTimeout(r, Math.min(stepMs / 2, 200)));
}

// 2. Loading -------------------------------------------------------------------------------------------
async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

// The manifest through the core's reader (wasm/core/manifest.cpp, the one `strata characterize`
// uses): null when unusable as a whole; a bad model entry only adds a line to `problems`.
async function loadManifest(problems) {
  const m = await core();
  try {
    const r = await fetch(base + 'models/manifest.json');
    if (!r.ok) throw new Error(`models/manifest.json: HTTP ${r.status} (no bundled models)`);
    const manifest = JSON.parse(m.parseManifest(await r.text(), 'models/manifest.json'));
    if (manifest.error) throw new Error(manifest.error);
    problems.push(...manifest.problems);
    if (!manifest.models.length) problems.push('models/manifest.json lists no usable model');
    return manifest;
  } catch (e) {
    problems.push(String(e.message ?? e));
    return null;
  }
}

// A file the manifest lists, checked against its size and hash there (the core's reader refuses
// an entry without them, so both are always given).
async function fetchListed(file) {
  const m = await core();
  const path = 'models/' + file.path;
  const bytes = await fetchBytes(base + path).catch((e) => {
    throw new Error(e.message.replace(base, ''));
  });
  if (bytes.length !== file.bytes)
    throw new Error(`${path}: ${bytes.length} bytes, models/manifest.json says ${file.bytes} (truncated or replaced?)`);
  const sha256 = m.sha256(bytes);
  if (sha256 !== file.sha256)
    throw new Error(`${path}: its sha256 is not the one in models/manifest.json (corrupt or replaced?)`);
  return { bytes, sha256, path };
}

// The study's images come from an image source: the manifest's sample (IDX, or a .npy from `strata
// publish`) or the user's dropped files. A source keeps the files' bytes: each model gets the
// images converted to its own input shape by the core (worker_api.cpp imageSet: the readers and
// the one resize rule `strata characterize --images` uses), so both see the same pixels.
// {spec (imageSet's), path and sha256 (as the results name them), split ('test' or null), count
// (usable images), labels (Int32Array, -1: none), classNames, dataset}.
async function imageSource(spec, fields) {
  const r = (await core()).imageSet(spec, 1, 8, 8, 0); // every image read once: count, labels, skipped files
  if (r.error) throw new Error(r.error);
  return { spec, count: r.n, labels: r.labels, classNames: r.classNames, skipped: r.skipped, ...fields(r) };
}

// Images dropped by the user (section 7) replace the sample: an image source; null: the sample.
let userImages = null;

// The manifest's sample images (and labels), fetched, checked and read once (preload).
async function loadSample(manifest) {
  if (!manifest)
    throw new Error('no sample images (models/manifest.json is unusable): drop PNG, JPEG or .npy images to analyse');
  const { images: imagesEntry, labels: labelsEntry, classes } = manifest.sample;
  const [imagesFile, labelsFile] = await Promise.all([
    fetchListed(imagesEntry),
    labelsEntry ? fetchListed(labelsEntry) : null,
  ]);
  const npy = imagesFile.path.toLowerCase().endsWith('.npy');
  const labels = labelsFile ? { labels: labelsFile.bytes, labelsName: labelsFile.path } : { labels: null };
  const spec = npy
    ? { kind: 'npy', name: imagesFile.path, bytes: imagesFile.bytes, ...labels }
    : { kind: 'idx', name: imagesFile.path, images: imagesFile.bytes, ...labels };
  const source = await imageSource(spec, () => ({
    path: imagesFile.path,
    sha256: imagesFile.sha256,
    split: npy ? null : 'test',
    dataset: npy
      ? `the published sample ${imagesFile.path} (${manifest.sample.count} images)`
      : 'IDX folder models/sample (the first 1000 Fashion-MNIST test images)',
  }));
  if (classes?.length) source.classNames = classes;
  return source;
}

// The images of the study: the dropped ones, or the sample's first N. N larger than the sample is
// lowered to its size, with a line in `problems`. Each model's pixels come from pixelsFor.
function studyImages(sample, params, problems) {
  const source = userImages ?? sample;
  if (!source) throw new Error('no sample images to analyse: drop PNG, JPEG or .npy images');
  let n = userImages ? source.count : params.n; // dropped images: all of them
  if (n > source.count) {
    problems.push(`N = ${n} images asked, ${source.path} has ${source.count}: N = ${source.count} used`);
    n = source.count;
  }
  return {
    source,
    n,
    imagesPath: source.path,
    imagesSha256: source.sha256,
    labels: Array.from(source.labels.subarray(0, n)),
    byShape: new Map(), // "CxHxW" -> Float32Array of n images in [0, 1]
  };
}

// The study's n images at one input shape [C, H, W], converted once and kept.
async function pixelsFor(data, shape) {
  const key = shape.join('x');
  if (!data.byShape.has(key)) {
    const r = (await core()).imageSet(data.source.spec, shape[0], shape[1], shape[2], data.n);
    if (r.error) throw new Error(r.error);
    if (r.n !== data.n) throw new Error(`${data.source.path}: ${r.n} usable images at ${key}, ${data.n} expected`);
    data.byShape.set(key, r.x);
  }
  return data.byShape.get(key);
}

const SESSION_OPTIONS = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
// ONNX Runtime's messages can run to many lines: the first, shortened, is enough for the user.
const firstLine = (e) =>
  String(e?.message ?? e)
    .split('\n')[0]
    .slice(0, 200);

// An ONNX Runtime session of a model's bytes; the error starts with `path` when one is given
// (dropped files get their name added by the caller).
async function createSession(bytes, path = null) {
  try {
    const t = await ort.InferenceSession.create(bytes, SESSION_OPTIONS);
    stepDone('firstSession');
    return t;
  } catch (e) {
    throw new Error(`${path ? path + ': ' : ''}not a loadable ONNX model (${firstLine(e)})`);
  }
}

// A model's plan: how its encoder (and decoder) are run, decided by the core from the ONNX files'
// declared inputs and outputs and the model's settings (model_plan.hpp), exactly as `strata
// characterize` decides (prepare_model). {encoder: {input_name, image: [C, H, W], batch (0: free),
// latent_output, logvar_output (null unless variational), latent_rule, ...}, decoder: {input,
// output, batch} | null}; throws with the core's message, which names the file at fault.
async function planModel(enc, encName, dec, decName, settingsJson, settingsName = '') {
  const plan = JSON.parse((await core()).planModel(enc, encName, dec, decName, settingsJson, settingsName));
  if (plan.error) throw new Error(plan.error);
  return plan;
}

// A Float32Array from the core's toModelPixels / fromModelPixels (or its {error}).
function pixels(r) {
  if (r.error) throw new Error(r.error);
  return r;
}

// Runs `session` on n items of shape `item` (contiguous in x) in batches, as characterize.cpp's
// run_batched: a fixed batch (> 0) runs exactly that many, the last batch padded with copies of its
// last item whose outputs are dropped; a free one (0) runs up to BATCH. Returns {name: {data, dims}}
// for the asked outputs over the n items; `file` starts every error.
async function runBatched(session, input, item, x, n, fixed, outputs, file, timings) {
  const size = item.reduce((a, b) => a * b, 1);
  const batch = fixed > 0 ? fixed : BATCH;
  const out = {};
  for (let b = 0; b < n; b += batch) {
    const k = Math.min(batch, n - b),
      run = fixed > 0 ? batch : k;
    const data = new Float32Array(run * size);
    data.set(x.subarray(b * size, (b + k) * size));
    for (let pad = k; pad < run; pad++) data.set(x.subarray((b + k - 1) * size, (b + k) * size), pad * size);
    const t0 = now();
    let res;
    try {
      res = await session.run({ [input]: new ort.Tensor('float32', data, [run, ...item]) });
    } catch (e) {
      throw new Error(`${file}: does not run on a batch of ${run} x ${item.join(' x ')} (${firstLine(e)})`);
    }
    if (timings) timings.inference += now() - t0;
    for (const name of outputs) {
      const t = res[name];
      if (!t || t.type !== 'float32') throw new Error(`${file}: output '${name}' is not a float32 tensor`);
      if (!t.dims.length || t.dims[0] !== run)
        throw new Error(`${file}: output '${name}' does not have one entry per image of a batch of ${run}`);
      const per = t.data.length / run;
      const o = (out[name] ??= { dims: [n, ...t.dims.slice(1)], data: new Float32Array(n * per) });
      if (o.dims.slice(1).join() !== t.dims.slice(1).join())
        throw new Error(`${file}: output '${name}' changes shape from one batch to the next`);
      o.data.set(t.data.subarray(0, k * per), b * per);
    }
    await yieldToInterface(now() - t0);
    await checkCancel();
  }
  return out;
}

// The latent of n images starting at image `first` (noisy, in pixel space): the encoder's run on
// their normalisation, then the plan's latent output; a variational encoder's latent is sampled,
// z = mu + exp(logvar / 2) e with the study's noise streams, for vae_latent = sample (else its mean).
// {z, shape: [C', H', W']}.
async function encodeImages(model, y, n, first, params, timings) {
  const m = await core();
  const p = model.plan.encoder;
  const [c, h, w] = p.image;
  const ym = pixels(m.toModelPixels(y, n, c, h, w, model.settingsJson));
  const outputs = p.logvar_output ? [p.latent_output, p.logvar_output] : [p.latent_output];
  const eo = await runBatched(
    model.encoder,
    p.input_name,
    p.image,
    ym,
    n,
    p.batch,
    outputs,
    model.encoderPath,
    timings,
  );
  const mu = eo[p.latent_output];
  const shape = JSON.parse(m.latentShape(mu.dims, n, model.encoderPath, p.latent_output));
  if (shape.error) throw new Error(shape.error);
  if (!p.logvar_output) return { z: mu.data, shape };
  const lv = eo[p.logvar_output];
  if (lv.dims.join() !== mu.dims.join())
    throw new Error(
      `${model.encoderPath}: output '${p.logvar_output}' does not have the shape of '${p.latent_output}'`,
    );
  const size = shape[0] * shape[1] * shape[2];
  const z = params.vae_latent === 'sample' ? m.vaeSample(mu.data, lv.data, n, size, params.seed, first) : mu.data;
  return { z, shape };
}

// The decoder's reconstructions of n latents of `shape`, back in [0, 1] pixel space.
async function decodeLatents(model, z, shape, n, timings) {
  const m = await core();
  const d = model.plan.decoder;
  const [c, h, w] = model.plan.encoder.image;
  const r = await runBatched(model.decoder, d.input, shape, z, n, d.batch, [d.output], model.decoderPath, timings);
  const xh = r[d.output].data;
  if (xh.length !== n * c * h * w)
    throw new Error(
      `${model.decoderPath}: output '${d.output}' is not N x ${c} x ${h} x ${w} (the encoder's input shape)`,
    );
  return pixels(m.fromModelPixels(xh, n, c, h, w, model.settingsJson));
}

// A model's caches, each valid for a key: encodings (latents, PSNR) per noise level for the images,
// seed and VAE latent mode; analysed sets for those plus the geometry settings.
function emptyCaches() {
  return { encKey: null, enc: [], anaKey: null, sets: [], bandwidth: null, geometry: null };
}

// One bundled model (its decoder optional); throws an Error naming the file at fault.
async function loadModel(entry) {
  const [enc, dec] = await Promise.all([fetchListed(entry.encoder), entry.decoder ? fetchListed(entry.decoder) : null]);
  const encoder = await createSession(enc.bytes, enc.path);
  const decoder = dec ? await createSession(dec.bytes, dec.path) : null;
  const settingsJson = JSON.stringify(entry.settings ?? {});
  const plan = await planModel(enc.bytes, enc.path, dec?.bytes ?? null, dec?.path ?? '', settingsJson);
  return {
    entry,
    encoder,
    decoder,
    plan,
    settingsJson,
    variational: !!plan.encoder.logvar_output,
    sha256: enc.sha256,
    decoderSha256: dec?.sha256 ?? null,
    encoderPath: enc.path,
    decoderPath: dec?.path ?? null,
    ...emptyCaches(),
  };
}

// 3. One noise level of one model: noisy images -> latents (VAE: sample or mean) -> reconstructions,
// in characterize.cpp's order (encode_model): every batch encoded, then every batch decoded.
async function encodeDecode(model, data, sigma, params, timings) {
  const m = await core();
  const n = data.n;
  const x = await pixelsFor(data, model.plan.encoder.image);
  const px = x.length / n;
  const y = m.addNoise(x, n, px, sigma, params.seed, 0, true);
  const { z, shape } = await encodeImages(model, y, n, 0, params, timings);
  // A model without a decoder: no reconstructions, PSNR null.
  if (!model.decoder) return { z, shape, psnr: { mean: null, std: null, values: null } };
  const xHat = await decodeLatents(model, z, shape, n, timings);
  return { z, shape, psnr: m.psnrStats(xHat, x, n, px) };
}

// 4. The study: clean sets of every model first (the first complete panel), then noise levels in order.
async function analyzeSet(model, k, enc, sigmas, params, timings) {
  const m = await core();
  const t0 = now();
  // A noisy set's results depend only on itself and the clean set (bandwidth, 2-D view, angles):
  // the core keeps each model's clean analysis (CleanAnalysis) and adds each noise level to it as
  // soon as it is encoded.
  const out =
    k === 0
      ? JSON.parse(m.analyzeClean(model.entry.name, enc.z, enc.shape, { ...params.geometry, threads: CORE_THREADS }))
      : JSON.parse(m.analyzeNoisy(model.entry.name, enc.z, sigmas[k]));
  timings.analysis += now() - t0;
  await yieldToInterface(now() - t0);
  await checkCancel();
  if (out.error) throw new Error(`${model.entry.name} sigma=${sigmas[k]}: ${out.error}`);
  const set = k === 0 ? out.set : out;
  set.psnr_mean = enc.psnr.mean;
  set.psnr_std = enc.psnr.std;
  set.psnr = enc.psnr.values; // per sample (dB), null without a decoder
  if (k === 0) {
    model.bandwidth = out.settings.bandwidth;
    model.geometry = out.settings;
    model.bandwidthScan = out.bandwidth_scan ?? null; // {factors, bandwidths, rule} when asked for
  }
  return set;
}

// The loaded data and models, kept between runs: a settings change reuses what it does not affect
// (the images and sessions always; latents unless N, the seed or, for VAEs, vae_latent changed).
// Loading starts as soon as the worker does (preload), before the page's interface module is
// ready: the manifest, every bundled model (sessions created) and the sample images. A study then
// takes its models from there (`studied`): the URL's `models`, by default the manifest's paper
// models (in_paper: CAE, DAE, VAE; every model when none is marked), plus dropped ones. The other
// bundled models stay ready to be added from the interface.
// Whatever cannot be loaded (a corrupt manifest, a missing or truncated model file, sample images
// of the wrong size) becomes a message, and the study goes on with what is valid; with no model or
// no images it waits for dropped files.
let session = null;

const notice = (messages) => {
  if (messages.length) post({ type: 'notice', messages });
};

// When each loading step ended, in ms since the page's navigation (the worker's clock starts later).
const loadSteps = {};
const stepDone = (name) => {
  loadSteps[name] ??= performance.timeOrigin + now();
};

async function preload() {
  stepDone('workerStarted');
  const problems = [];
  core().then(() => stepDone('coreModule'));
  const manifest = await loadManifest(problems);
  stepDone('manifest');
  const entries = manifest?.models ?? [];
  const [loaded, sample] = await Promise.all([
    Promise.allSettled(entries.map(loadModel)).then((r) => {
      stepDone('models');
      return r;
    }),
    loadSample(manifest).then(
      (r) => {
        stepDone('images');
        return r;
      },
      (e) => {
        problems.push(String(e.message ?? e));
        return null;
      },
    ),
  ]);
  const models = [];
  loaded.forEach((r, i) => {
    if (r.status === 'fulfilled') models.push(r.value);
    else problems.push(`${String(r.reason?.message ?? r.reason)} (model '${entries[i].name}' skipped)`);
  });
  return { manifest, models, sample, problems, studied: [], data: null, n: null, seed: null };
}
const preloaded = preload();

// The models a study takes (see above); a name the URL gives that is not loaded gets a message.
function studiedModels(params, problems, report) {
  const bundled = session.models.filter((md) => !md.dropped);
  const dropped = session.models.filter((md) => md.dropped);
  if (!params.models?.length) {
    const paper = bundled.filter((md) => md.entry.in_paper);
    return [...(paper.length ? paper : bundled), ...dropped];
  }
  if (report)
    for (const name of params.models)
      if (session.manifest && !session.manifest.models.some((e) => e.name === name))
        problems.push(`URL: models=${name}: no such model in models/manifest.json`);
  return [...bundled.filter((md) => params.models.includes(md.entry.name)), ...dropped];
}

async function loadSession(params) {
  const first = !session;
  session ??= await preloaded;
  const problems = first ? [...session.problems] : [];
  session.studied = studiedModels(params, problems, first);
  if (!session.data || session.n !== params.n || session.seed !== params.seed) {
    try {
      session.data = studyImages(session.sample, params, problems);
    } catch (e) {
      session.data = null;
      if (!first || session.sample) problems.push(String(e.message ?? e));
    }
    session.n = params.n;
    session.seed = params.seed;
  }
  notice(problems);
}

async function run(params) {
  (await core()).setCancel(false);
  try {
    await runStudy(params);
  } catch (e) {
    if (!(e instanceof Cancelled)) throw e;
    (await core()).setCancel(false);
    post({ type: 'cancelled' });
  }
}

async function runStudy(params) {
  const tStart = now();
  const timings = { load: 0, inference: 0, analysis: 0 };
  await loadSession(params);
  if (!session.studied.length || !session.data) {
    const what = !session.studied.length
      ? 'no model could be loaded: drop an ONNX encoder (and decoder)'
      : 'no images to analyse: drop PNG, JPEG or .npy images';
    post({ type: 'waiting', reason: `Nothing to analyse yet: ${what}` });
    return;
  }
  params = { ...params, n: session.data.n }; // dropped images, or a sample smaller than N
  session.params = params;
  const { data, studied: models } = session;
  const available = session.models.filter((md) => !models.includes(md)).map((md) => md.entry.name);
  // The clean images at each studied input shape, as bytes, for the interface's tooltips.
  const images = [];
  for (const md of models) {
    const shape = md.plan.encoder.image;
    if (images.some((im) => im.shape.join() === shape.join())) continue;
    const x = await pixelsFor(data, shape);
    images.push({ shape, bytes: Uint8Array.from(x, (v) => Math.round(v * 255)) });
  }
  post({
    type: 'meta',
    models: models.map((md) => ({
      name: md.entry.name,
      kind: md.entry.kind,
      dropped: !!md.dropped,
      input: md.plan.encoder.image, // C, H, W
      latentRule: md.plan.encoder.latent_rule,
      architecture: architectureText(architectureOf(md)),
    })),
    available,
    sigmas: params.sigmas,
    n: data.n,
    labels: data.labels,
    classNames: data.source.classNames,
    images,
  });
  timings.load = now() - tStart;
  post({ type: 'loaded', ms: timings.load, ortThreads: ort.env.wasm.numThreads, coreThreads: CORE_THREADS, loadSteps });

  const steps = params.sigmas.length * models.length;
  const latentFloats = models.reduce(
    (a, md) => a + (md.entry.latent_shape?.reduce((u, v) => u * v, 1) ?? 64 * 7 * 7),
    0,
  );
  const keepNoisy = params.sigmas.length * data.n * latentFloats * 4 <= LATENT_CACHE_BYTES;
  let done = 0;
  // A model that fails (its encoder or decoder does not run on the study's batches, its latent is
  // unusable, its analysis fails) is left out from then on, with a message naming the file; the
  // other models' study goes on. Each study tries every model again.
  for (const model of models) model.failed = null;
  for (let k = 0; k < params.sigmas.length; k++) {
    for (let i = 0; i < models.length; i++) {
      const model = models[i];
      if (model.failed) {
        done++;
        continue;
      }
      // The images' hash too: dropped images replace the sample at the same N.
      const encKey = JSON.stringify([
        data.imagesSha256,
        params.n,
        params.seed,
        params.sigmas,
        model.variational ? params.vae_latent : null,
      ]);
      if (model.encKey !== encKey) Object.assign(model, { encKey, enc: [], anaKey: null });
      const anaKey = encKey + JSON.stringify(params.geometry);
      if (model.anaKey !== anaKey) Object.assign(model, { anaKey, sets: [] });
      // The status says what this step really does: with kept latents, the analysis alone.
      const encoding = !model.sets[k] && !model.enc[k]?.z;
      post({
        type: 'progress',
        fraction: done / steps,
        status: `${model.entry.name}: sigma = ${params.sigmas[k]} (${encoding ? 'encoding, decoding, analysis' : model.sets[k] ? 'kept' : 'analysis'}${params.geometry.metric === 'log-euclidean' ? '' : `, ${params.geometry.metric}`})`,
      });
      try {
        if (encoding)
          model.enc[k] = await exclusive(() => encodeDecode(model, data, params.sigmas[k], params, timings));
        model.sets[k] ??= await analyzeSet(model, k, model.enc[k], params.sigmas, params, timings);
      } catch (e) {
        if (e instanceof Cancelled) {
          Object.assign(model, { anaKey: null, sets: [] }); // a set may be half done
          throw e;
        }
        model.failed = String(e?.message ?? e);
        Object.assign(model, { encKey: null, anaKey: null }); // nothing of this run is reused
        done++;
        post({ type: 'failed', model: i, k, sigma: params.sigmas[k], reason: model.failed });
        continue;
      }
      if (k > 0 && !keepNoisy) model.enc[k] = { ...model.enc[k], z: null }; // PSNR and shape stay
      done++;
      post({ type: 'set', model: i, k, set: model.sets[k], bandwidth: model.bandwidth });
    }
  }
  const results = await resultsJson(models, data, params, timings, now() - tStart);
  lastRun = {
    n: data.n,
    analysisMs: timings.analysis,
    inferenceMs: timings.inference,
    images: data.n * params.sigmas.length * models.length,
  };
  const failed = models.filter((md) => md.failed).length;
  post({
    type: 'progress',
    fraction: 1,
    status:
      `done: ${models.length - failed} models x ${params.sigmas.length} noise levels, N = ${data.n}` +
      (failed ? `; ${failed} model(s) failed (see the messages)` : ''),
  });
  post({ type: 'done', results, timings });
}

// 4b. The estimate of a study before it runs (the page asks before a settings change): the networks'
// time from this session's own runs (per image, when N, the seed or vae_latent change), and the
// analysis calibrated on the spot. The new settings run on the first 20 and the first 40 latents of
// the first model's clean set and of its noisiest set (a pair's cost depends on the latents' ranks,
// which noise raises); the two times (the core's stages before the noisy eigenproblems) give the cost
// of one SPSD point a and of one pair's distance b (t = a * points + b * pairs), which are scaled to
// the study: each model has N points per noise level, the clean set's N^2 / 2 pairs, and for each
// noise level its own N^2 / 2 and N^2 against the clean set. The eigenproblems are the last run's
// analysis time scaled as N^3 (an upper bound: that time also holds its distances). Returns ms, or 0
// before any run.
let lastRun = null; // {n, analysisMs, inferenceMs, images}: the last complete study
async function estimate(params) {
  if (!session?.studied?.length || !lastRun) return 0;
  const m = await core();
  const models = session.studied.filter((md) => !md.failed);
  const first = models.find((md) => md.enc[0]?.z);
  if (!first || session.data.n < 40) return 0;
  const n = Math.min(params.n, (userImages ?? session.sample)?.count ?? params.n);
  const sigmas = params.sigmas.length;
  const per = first.enc[0].z.length / session.data.n;
  const k = first.enc.findLastIndex((e) => e?.z); // the noisiest set whose latents are kept
  const sets = [first.enc[0], ...(k > 0 ? [first.enc[k]] : [])];
  const pairs = (c) => (c * (c - 1)) / 2;
  const sample = (c) => {
    const out = JSON.parse(
      m.analyze(
        '(estimate)',
        sets.map((e) => e.z.subarray(0, c * per)),
        sets.map((e, i) => (i ? session.params.sigmas[k] : 0)),
        first.enc[0].shape,
        { ...params.geometry, threads: CORE_THREADS },
      ),
    );
    if (out.error) return null;
    const ms =
      1000 *
      Object.entries(out.stage_seconds)
        .filter(([stage]) => !/spectra/.test(stage))
        .reduce((u, [, t]) => u + t, 0);
    return { ms, points: c * sets.length, pairs: sets.length * pairs(c) + (sets.length - 1) * c * c };
  };
  const [p, q] = [sample(20), sample(40)];
  if (!p || !q) return 0;
  const b = Math.max(0, (q.ms - (q.points / p.points) * p.ms) / (q.pairs - (q.points / p.points) * p.pairs));
  const a = Math.max(0, (p.ms - b * p.pairs) / p.points);
  const perModelPairs = pairs(n) + (sigmas - 1) * (pairs(n) + n * n);
  const analysis = (a * n * sigmas + b * perModelPairs) * models.length;
  const eigen = lastRun.analysisMs * (n / lastRun.n) ** 3;
  const sameImages = n === session.data.n && params.seed === session.params?.seed;
  const sameLatents = sameImages && params.vae_latent === session.params?.vae_latent;
  const inference = sameLatents ? 0 : (lastRun.inferenceMs / lastRun.images) * n * sigmas * models.length;
  return analysis + eigen + inference;
}

// How a model was built: its manifest entry's "architecture" (strata publish), else its settings'
// (a model.json written by strata export); null when neither names it.
function architectureOf(md) {
  return md.entry.architecture ?? md.plan.architecture ?? null;
}

// One line for the models panel's tooltip: "norm batch, conv_bias on, ..." ('' when unknown).
function architectureText(a) {
  return a
    ? Object.entries(a)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
    : '';
}

// The bandwidth scan's model-level block, as characterize.cpp writes it after `sets` (each set carries
// its own values); nothing when the study's settings did not ask for it.
function scanJson(md) {
  return md.bandwidthScan ? { bandwidth_scan: md.bandwidthScan } : {};
}

// 5. The results: the structure of characterize.cpp's run_study (same keys, same order), of the
// models that ran; those that failed are listed after them, under `failed` (only when there are any:
// {name, encoder, reason}, reason naming the file).
async function resultsJson(studied, data, params, timings, totalMs) {
  const m = await core();
  const models = studied.filter((md) => !md.failed);
  const failed = studied
    .filter((md) => md.failed)
    .map((md) => ({ name: md.entry.name, encoder: md.encoderPath, reason: md.failed }));
  const modelJson = models.map((md) => ({
    name: md.entry.name,
    kind: md.entry.kind,
    sha256: md.sha256,
    decoder_sha256: md.decoderSha256,
    encoder: md.encoderPath,
    decoder: md.decoderPath,
    model_settings: md.settingsPath ?? null, // a dropped model.json; bundled settings are the manifest's
    plan: md.plan.plan,
    normalisation: md.plan.normalisation,
    architecture: architectureOf(md),
    variational: md.variational,
    vae_latent: md.variational ? params.vae_latent : null,
    bandwidth: md.bandwidth,
    geometry: md.geometry,
    sets: md.sets,
    ...scanJson(md),
  }));
  const settings = JSON.parse(
    m.studySettings({
      dataset: data.source.dataset,
      split: data.source.split,
      images_file: data.imagesPath,
      images_sha256: data.imagesSha256,
      n: data.n,
      seed: params.seed,
      sigmas: params.sigmas,
      vae_latent: params.vae_latent,
      runner: `ONNX Runtime Web ${ort.env.versions?.web ?? ''} (wasm backend, ${ort.env.wasm.numThreads} thread(s))`,
      geometry: params.geometry,
    }),
  );
  if (settings.error) throw new Error(`study settings: ${settings.error}`);
  return {
    settings,
    models: modelJson,
    ...(failed.length ? { failed } : {}),
    timing: { inference_s: timings.inference / 1000, analysis_s: timings.analysis / 1000, total_s: totalMs / 1000 },
  };
}

// 6. One sample's images: clean, noisy at sigma_k (the study's own noise for that image: stream
// index = the image's index) and the model's reconstruction. For display only, so one image at a
// time rather than from the study's batches.
async function sampleImages({ model: i, k, index, key }) {
  if (!session?.params || !session.studied[i] || index < 0 || index >= session.params.n) return;
  const m = await core();
  const { params, data } = session,
    md = session.studied[i];
  if (md.failed) return; // nothing to show (the models panel says why)
  const image = md.plan.encoder.image;
  const px = image[0] * image[1] * image[2];
  const x = (await pixelsFor(data, image)).slice(index * px, (index + 1) * px);
  const y = m.addNoise(x, 1, px, params.sigmas[k], params.seed, index, true);
  await exclusive(async () => {
    const { z, shape } = await encodeImages(md, y, 1, index, params, null);
    const strip = { type: 'sample', key, shape: image, clean: x, noisy: y };
    // a model without a decoder: a blank reconstruction
    if (!md.decoder) return post({ ...strip, recon: new Float32Array(px), psnr: NaN });
    const recon = await decodeLatents(md, z, shape, 1, null);
    post({ ...strip, recon, psnr: m.psnrStats(recon, x, 1, px).mean });
  });
}

// The core alone on one model's whole study in one call (all sets at once, as `strata characterize`
// does), for comparison with the native core on the same latents; ms per model.
async function benchCore() {
  const m = await core();
  const out = [];
  for (const md of session?.studied ?? []) {
    if (md.enc.length !== session.params.sigmas.length || !md.enc.every((e) => e.z)) continue; // latents not kept
    const t0 = now();
    const r = JSON.parse(
      m.analyze(
        md.entry.name,
        md.enc.map((e) => e.z),
        session.params.sigmas,
        md.enc[0].shape,
        { ...session.params.geometry, threads: CORE_THREADS },
      ),
    );
    out.push({ model: md.entry.name, ms: now() - t0, stages: r.stage_seconds, error: r.error });
  }
  post({ type: 'benchCore', out });
}

// 6b. t-SNE of one model's clean set and one noise level (k = 0: the clean set alone), from the
// kernel's feature-space distances (the core module, wasm/app/tsne.cpp). Deterministic: the study's
// seed seeds it, so the same request gives the same picture. Progress every 50 iterations.
async function tsne({ model: i, k, serial }) {
  const m = await core();
  const md = session?.studied[i];
  const reply = (fields) => post({ type: 'tsne', model: i, k, serial, ...fields });
  if (!md?.enc[0]?.z || !md.sets[k]) return reply({ error: 't-SNE: the set is not analysed yet' });
  const noisy = k > 0 ? md.enc[k]?.z : null;
  if (k > 0 && !noisy)
    return reply({
      error: `t-SNE: the latents at sigma = ${session.params.sigmas[k]} were not kept (N too large for the latent cache)`,
    });
  const t0 = now();
  const r = m.tsne(
    md.entry.name,
    md.enc[0].z,
    noisy,
    session.params.sigmas[k],
    { seed: session.params.seed },
    (iteration, total, kl) => post({ type: 'tsneProgress', model: i, k, iteration, total, kl }),
  );
  if (r.error) return reply({ error: `t-SNE: ${r.error}` });
  reply({ coords: r.coords, nClean: r.nClean, iterations: r.iterations, kl: r.kl, ms: now() - t0 });
}

// 6c. Interpolation and neighbours (wasm/core/interpolation.hpp, neighbours.hpp) on the model's clean
// analysis, so the numbers are those of `strata characterize --interpolations`. The path walks the
// latents of clean samples a and b (a VAE's mean mu, whatever vae_latent says: those two images are
// encoded again for it); each step is decoded with the model's decoder. Replies carry the request's id.
function studiedModel(model) {
  const list = session?.studied ?? [];
  const md = typeof model === 'number' ? list[model] : list.find((x) => x.entry.name === model);
  if (!md) throw new Error(`no studied model '${model}'`);
  if (!md.enc[0]?.z || !md.sets[0]) throw new Error(`${md.entry.name}: the clean set is not analysed yet`);
  return md;
}

// The path of studied model md between clean samples a and b in `steps` steps, undecoded:
// {latents (Float32Array, steps x C x H x W), path (the core's fields), shape}.
async function walkPath(md, a, b, steps) {
  const m = await core();
  const n = session.params.n;
  for (const i of [a, b])
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`interpolate: sample ${i} is outside 0..${n - 1}`);
  const shape = md.enc[0].shape;
  const size = shape[0] * shape[1] * shape[2];
  let za, zb;
  if (md.variational) {
    const image = md.plan.encoder.image;
    const px = image[0] * image[1] * image[2];
    const x = await pixelsFor(session.data, image);
    const y = new Float32Array(2 * px);
    y.set(x.subarray(a * px, (a + 1) * px), 0);
    y.set(x.subarray(b * px, (b + 1) * px), px);
    const mu = await exclusive(() => encodeImages(md, y, 2, 0, { ...session.params, vae_latent: 'mean' }, null));
    za = mu.z.slice(0, size);
    zb = mu.z.slice(size, 2 * size);
  } else {
    za = md.enc[0].z.slice(a * size, (a + 1) * size);
    zb = md.enc[0].z.slice(b * size, (b + 1) * size);
  }
  const r = m.interpolate(md.entry.name, za, zb, a, b, steps);
  if (r.error) throw new Error(`interpolate: ${r.error}`);
  return { latents: r.latents, path: JSON.parse(r.path), shape };
}

async function interpolate({ id, model, a, b, steps }) {
  const reply = (fields) => post({ type: 'interpolate', id, ...fields });
  try {
    const md = studiedModel(model);
    const t0 = now();
    const { latents, path, shape } = await walkPath(md, a, b, steps);
    const images = md.decoder ? await exclusive(() => decodeLatents(md, latents, shape, steps, null)) : null;
    reply({
      model: md.entry.name,
      latent: md.variational ? 'mu' : 'latent',
      shape,
      image: md.plan.encoder.image,
      latents,
      images,
      ...path,
      ms: now() - t0,
    });
  } catch (e) {
    reply({ error: String(e?.message ?? e) });
  }
}

async function neighbours({ id, model, index, k }) {
  try {
    const m = await core();
    const md = studiedModel(model);
    const r = JSON.parse(m.neighbours(md.entry.name, index, k));
    if (r.error) throw new Error(`neighbours: ${r.error}`);
    post({ type: 'neighbours', id, model: md.entry.name, index, ...r });
  } catch (e) {
    post({ type: 'neighbours', id, error: String(e?.message ?? e) });
  }
}

// 6d. The explorer's walk panel: the same path for every studied model between the same two samples,
// answered piece by piece so the page shows the first decoded step at once: per model its path
// ('walkPath': the core's numbers and each step's place in the kernel-PCA view, projected as noisy
// points are), then each step decoded alone ('walkStep'); 'walkDone' at the end. A newer walk stops an
// older one between steps. While the user interacts, it pauses after each piece as the study does.
let walkSerial = 0;
async function walk({ serial, a, b, steps, models }) {
  walkSerial = serial;
  const t0 = now();
  const m = await core();
  const current = () => serial === walkSerial;
  for (const name of models) {
    if (!current()) return;
    const reply = (fields) => post({ type: 'walkPath', serial, model: name, ...fields });
    try {
      const md = studiedModel(name);
      const tPath = now();
      const { latents, path, shape } = await walkPath(md, a, b, steps);
      const coords = m.projectLatents(md.entry.name, latents, steps);
      if (coords.error) throw new Error(`walk: ${coords.error}`);
      reply({
        latent: md.variational ? 'mu' : 'latent',
        image: md.plan.encoder.image,
        hasDecoder: !!md.decoder,
        coords,
        ...path,
      });
      await yieldToInterface(now() - tPath);
      if (!md.decoder) continue;
      const size = shape[0] * shape[1] * shape[2];
      for (let k = 0; k < steps && current(); k++) {
        const z = latents.slice(k * size, (k + 1) * size);
        const t = now();
        const image = await exclusive(() => decodeLatents(md, z, shape, 1, null));
        post({ type: 'walkStep', serial, model: name, step: k, image });
        await yieldToInterface(now() - t); // the interface first, as the study does (section 1)
      }
    } catch (e) {
      reply({ error: String(e?.message ?? e) });
    }
  }
  if (current()) post({ type: 'walkDone', serial, ms: now() - t0 });
}

// 7. Dropped files -------------------------------------------------------------------------------------
// The page sends them only while no study runs. Every file is checked; each problem becomes one
// message naming the file. Nothing loaded is touched unless what replaces or joins it is valid:
// a model joins only when its encoder (and decoder, if given) pass; the images are replaced only
// when every dropped image file is readable and there are at least 2 images.
// One model from its files ({encoder, decoder?, settings?: its model.json}) or an Error naming the
// file at fault. Its sessions
// are made and it is planned as a bundled model is (planModel: the core's rules and messages), then
// its encoder is run once on a zero image of the plan's shape (batched as the study runs it), and
// its decoder, when given, on that latent.
async function userModel(name, files) {
  const m = await core();
  const { encoder: ef, decoder: df, settings: sf } = files;
  const open = async (file) => {
    try {
      return await createSession(file.bytes);
    } catch (e) {
      throw new Error(`${file.name}: ${e.message}`);
    }
  };
  const encoder = await open(ef);
  const decoder = df ? await open(df) : null;
  const settingsJson = sf ? new TextDecoder().decode(sf.bytes) : '{}';
  const plan = await planModel(ef.bytes, ef.name, df?.bytes ?? null, df?.name ?? '', settingsJson, sf?.name ?? '');
  const md = {
    entry: { name, kind: 'user', latent_shape: null },
    dropped: true,
    encoder,
    decoder,
    plan,
    settingsJson,
    settingsPath: sf ? `dropped: ${sf.name}` : null,
    variational: !!plan.encoder.logvar_output,
    encoderPath: ef.name,
    decoderPath: df?.name ?? null,
  };
  const [c, h, w] = plan.encoder.image;
  const { z, shape } = await encodeImages(md, new Float32Array(c * h * w), 1, 0, { vae_latent: 'mean' }, null);
  md.entry.latent_shape = shape;
  if (decoder) await decodeLatents(md, z, shape, 1, null);
  return {
    ...md,
    sha256: m.sha256(ef.bytes),
    decoderSha256: df ? m.sha256(df.bytes) : null,
    encoderPath: `dropped: ${ef.name}`,
    decoderPath: df ? `dropped: ${df.name}` : null,
    ...emptyCaches(),
  };
}

// The dropped image files as an image source: one .npy, or PNG/JPEG files (loose, or in dropped
// folders: then read as `strata characterize --images FOLDER` reads a folder, classes from the first
// sub-folder). Unusable image files are skipped with a message each; null when nothing was dropped.
async function droppedImages(npys, imageFiles, messages) {
  if (!npys.length && !imageFiles.length) return null;
  if (npys.length + (imageFiles.length ? 1 : 0) > 1) {
    messages.push('images not replaced: drop one .npy file, or PNG and JPEG images, at a time');
    return null;
  }
  const m = await core();
  let spec, fields;
  if (npys.length) {
    const f = npys[0];
    spec = { kind: 'npy', name: f.name, bytes: f.bytes, labels: null };
    fields = () => ({ path: `dropped: ${f.name}`, sha256: m.sha256(f.bytes) });
  } else {
    // One dropped folder: paths relative to it (its name is the root); else the files as they are.
    const tops = new Set(imageFiles.map((f) => (f.name.includes('/') ? f.name.split('/')[0] : '')));
    const root = tops.size === 1 && !tops.has('') ? [...tops][0] : '';
    const files = imageFiles.map((f) => ({ path: root ? f.name.slice(root.length + 1) : f.name, bytes: f.bytes }));
    spec = { kind: 'folder', root, files, ignored: 0 };
    fields = (r) => ({ path: `dropped: ${root || imageFiles.map((f) => f.name).join(', ')}`, sha256: r.filesSha256 });
  }
  let source;
  try {
    source = await imageSource(spec, fields);
  } catch (e) {
    messages.push(e.message, 'images not replaced (see above)'); // the core's message names the file
    return null;
  }
  Object.assign(source, { split: null, dataset: 'images dropped on the page' });
  messages.push(...source.skipped);
  if (source.skipped.length) messages.push(`${source.skipped.length} dropped image file(s) skipped (see above)`);
  if (source.count < 2) {
    messages.push(`${source.path}: ${source.count} usable image; at least 2 are needed to replace the images`);
    return null;
  }
  const classes = source.classNames.length ? `, ${source.classNames.length} classes` : '';
  messages.push(
    `${source.count} images from ${source.path.slice('dropped: '.length)} replace the analysed images${classes}`,
  );
  return source;
}

async function dropFiles(files) {
  const messages = [];
  const models = new Map(); // name -> {encoder, decoder, settings}
  const settings = []; // dropped model.json files
  const npys = [],
    imageFiles = [];
  let ignored = 0; // files in dropped folders that are none of the kinds read
  for (const file of files) {
    const kind = fileKind(file.name);
    try {
      if (!kind && file.name.includes('/')) {
        ignored++;
        continue;
      }
      if (!kind)
        throw new Error('not an ONNX model (.onnx), its model.json (.json), an image (.png, .jpg) or a .npy array');
      if (kind === 'onnx') {
        const name = modelName(file.name);
        const group = models.get(name) ?? {};
        const role = isDecoderName(file.name) ? 'decoder' : 'encoder';
        if (group[role]) throw new Error(`a second ${role} for the model '${name}'`);
        group[role] = file;
        models.set(name, group);
      } else if (kind === 'json') settings.push(file);
      else if (kind === 'npy') npys.push(file);
      else imageFiles.push(file);
    } catch (e) {
      messages.push(`${file.name}: ${e.message}`);
    }
  }
  if (ignored)
    messages.push(`${ignored} file(s) in the dropped folders ignored (not .onnx, .json, .npy, .png or .jpg)`);
  // A model's settings: NAME.json (or NAME_model.json, or model.json in the folder NAME) for the
  // model NAME of this drop; a loose model.json for the drop's only model.
  for (const file of settings) {
    const name = settingsModelName(file.name) ?? (models.size === 1 ? [...models.keys()][0] : null);
    if (name === null)
      messages.push(
        `${file.name}: dropped with ${models.size} models; name it MODEL.json to say whose settings it holds`,
      );
    else if (!models.has(name))
      messages.push(`${file.name}: no model '${name}' in this drop (drop a model.json with the model's .onnx files)`);
    else if (models.get(name).settings) messages.push(`${file.name}: a second model.json for the model '${name}'`);
    else models.get(name).settings = file;
  }
  let changed = false;
  for (const [name, group] of models) {
    if (!group.encoder) {
      messages.push(`${group.decoder.name}: a decoder without its encoder (drop both together)`);
      continue;
    }
    if (session?.models.some((md) => md.entry.name === name)) {
      messages.push(`${group.encoder.name}: a model named '${name}' is already loaded (rename the file)`);
      continue;
    }
    try {
      const md = await userModel(name, group);
      session.models.push(md);
      changed = true;
      messages.push(
        `${group.encoder.name}: model '${name}' added${group.decoder ? ' with its decoder' : ' (no decoder: PSNR not computed)'}${group.settings ? `, settings from ${group.settings.name}` : ''}`,
      );
    } catch (e) {
      messages.push(e.message);
    }
  }
  const images = await droppedImages(npys, imageFiles, messages);
  if (images) {
    userImages = images;
    session.data = null; // the next study takes them (loadSession)
    session.n = null;
    changed = true;
  }
  post({ type: 'dropped', messages, changed, n: userImages ? userImages.count : null });
}

// 8. Messages: {type: 'start', params} runs (or reruns, reusing what it can) the study;
// {type: 'sample', model, k, index, key} asks for one sample's images; {type: 'benchCore'} times
// the core alone; {type: 'drop', files: [{name, bytes}]} checks dropped files and adds what is valid;
// {type: 'tsne', model, k, serial} computes a t-SNE view (serial comes back with the result);
// {type: 'interpolate', id, model, a, b, steps} and {type: 'neighbours', id, model, index, k} (6c);
// {type: 'walk', serial, a, b, steps, models} the walk panel's paths, answered step by step (6d);
// {type: 'input', lastInput} shares the time of the user's last input (yieldToInterface);
// {type: 'estimate', params} answers the estimated ms of a study with those parameters (4b);
// {type: 'cancelChannel'} answers the shared memory and index of the cancel flag (null without threads).
self.onmessage = async (e) => {
  try {
    if (e.data?.type === 'input') lastInput = e.data.lastInput;
    else if (e.data?.type === 'start') await run(e.data.params);
    else if (e.data?.type === 'sample') await sampleImages(e.data);
    else if (e.data?.type === 'benchCore') await benchCore();
    else if (e.data?.type === 'drop') await dropFiles(e.data.files);
    else if (e.data?.type === 'tsne') await tsne(e.data);
    else if (e.data?.type === 'estimate') post({ type: 'estimate', ms: await estimate(e.data.params) });
    else if (e.data?.type === 'cancelChannel') {
      const m = await core();
      // Without cross-origin isolation there is no SharedArrayBuffer at all (not even its name).
      if (typeof SharedArrayBuffer !== 'undefined' && m.HEAP32.buffer instanceof SharedArrayBuffer)
        post({ type: 'cancelChannel', memory: m.HEAP32.buffer, index: m.cancelFlagAddress() / 4 });
      else post({ type: 'cancelChannel', memory: null });
    } else if (e.data?.type === 'interpolate') await interpolate(e.data);
    else if (e.data?.type === 'neighbours') await neighbours(e.data);
    else if (e.data?.type === 'walk') await walk(e.data);
  } catch (err) {
    // A request that ran while the user cancelled the study (the sample strip's images: their decoder
    // runs poll the same flag) stops with it; the page asks again when the study reruns.
    if (err instanceof Cancelled) return;
    post({ type: 'error', message: String(err?.message ?? err) });
  }
};
