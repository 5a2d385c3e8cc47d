// faults.test.mjs: the page given bad things in a real headless Chromium. Each case serves a copy
// of the site with one kind of damage and checks that the page says what is wrong, naming the file
// or parameter, and keeps working with what is valid. Every request of every case is recorded:
// none may leave the page's origin, and the Content-Security-Policy must stop one that tries. It
// also covers the static-host fallback: served without isolation headers, the page computes on one
// thread.
//
//   node tests/browser/faults.test.mjs --site build/wasm/site --out DIR
//
// Index: 1. arguments, site copies and helpers  2. a static host (no COOP/COEP): one thread, and
//        the panel layout through the URL  3. a corrupt manifest: nothing to analyse, then dropped
//        files are analysed  4. a missing model file, a truncated ONNX (caught by the manifest's
//        size, and by ONNX Runtime), a manifest entry pointing outside the folder, entries without
//        a file's size or hash: the rest is analysed  5. truncated sample images, then a
//        dropped .npy of 5-channel images, then a valid one  6. an absurd URL  7. the CSP and the
//        request log
//
// N = 60 and few models per case keep it short.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  check,
  launchChromium,
  log,
  npy,
  openExplorer,
  runTest,
  sampleNpy,
  screenshotOnFailure,
  sleep,
  startServer,
  stopAll,
  testArgs,
} from './harness.mjs';

// 1. Arguments, site copies, helpers ---------------------------------------------------------------------
const { site, out, chromiumPath } = testArgs('browser-faults-test', 60);
const N = 60;
const files = path.join(out, 'files'); // files the cases drop

// A copy of the site: every top-level file linked, models/ copied so a case can damage it.
function siteCopy(name, damage) {
  const dir = path.join(out, 'sites', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(site)) {
    if (f !== 'models') fs.symlinkSync(path.join(site, f), path.join(dir, f));
  }
  fs.cpSync(path.join(site, 'models'), path.join(dir, 'models'), { recursive: true, dereference: true });
  damage(path.join(dir, 'models'));
  return dir;
}

const readManifest = (models) => JSON.parse(fs.readFileSync(path.join(models, 'manifest.json'), 'utf8'));
const writeManifest = (models, m) => fs.writeFileSync(path.join(models, 'manifest.json'), JSON.stringify(m, null, 1));
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
// Keeps only the named models in the manifest (smaller cases run faster).
const keepModels = (m, names) => {
  m.models = m.models.filter((e) => names.includes(e.name));
  return m;
};

// Every request of a page, for section 7.
const requests = [];

// Opens the page of a served site copy; resolves {page, server, browser, consoleErrors}.
async function open(dir, query, { plain = false } = {}) {
  const server = await startServer(dir, plain ? ['--plain'] : []);
  const browser = await launchChromium(chromiumPath);
  browser.context.on('request', (r) => requests.push({ url: r.url(), origin: new URL(server.url).origin }));
  const { page, consoleErrors } = await openExplorer(browser, server.url + query);
  return { page, server, browser, consoleErrors };
}

// Waits until the page settled: a study done (generation > g) or waiting for files.
const settled = (page, g = 0) =>
  page.waitForFunction(
    (gen) =>
      !window.strata.busy && !window.strata.dropping && (window.strata.generation > gen || window.strata.waiting),
    g,
    { timeout: 120000 },
  );
const messages = (page) => page.evaluate(() => window.strata.messages.slice());
const hasMessage = (list, re) => list.some((m) => re.test(m));

// Drops files through the page's file input (the same path as a drop on the canvas, drop.mjs).
async function drop(page, files) {
  const before = await page.evaluate(() => [window.strata.messages.length, window.strata.generation]);
  await page.setInputFiles('#drop-input', files);
  await page.waitForFunction(
    ([m]) => !window.strata.busy && !window.strata.dropping && window.strata.messages.length > m,
    before,
    { timeout: 120000 },
  );
}

let current = null; // the open case, for the screenshot on failure
async function closeCase() {
  if (current) await stopAll(current.server, current.browser);
  current = null;
}

async function main() {
  fs.mkdirSync(files, { recursive: true });
  try {
    await staticHost();
    await corruptManifest();
    await brokenModels();
    await wrongImages();
    await absurdUrl();
    requestLog();
  } catch (e) {
    await screenshotOnFailure(current?.page, path.join(out, 'failure.png'));
    throw e;
  } finally {
    await closeCase();
  }
}

// 2. A static host: no isolation headers, so one thread for ONNX Runtime and the core -------------------
async function staticHost() {
  log('case: a static host without COOP/COEP');
  const dir = siteCopy('static', (models) => writeManifest(models, keepModels(readManifest(models), ['cae', 'vae'])));
  current = await open(dir, `?n=${N}`, { plain: true });
  const { page } = current;
  const isolated = await page.evaluate(() => self.crossOriginIsolated);
  check(!isolated, 'served without the headers, the page is not cross-origin isolated');
  const results = await page.evaluate(() => window.strata.ready);
  check(results.models.map((m) => m.name).join() === 'cae,vae', 'the study completes on a static host (cae, vae)');
  check(
    results.settings.runner.includes('1 thread'),
    `ONNX Runtime Web ran on one thread (${results.settings.runner})`,
  );
  check(
    results.models[0].sets.length === 7 && results.models[0].sets.every((s) => s.hilbert_dim >= 1),
    'every set analysed',
  );
  check(hasMessage(await messages(page), /computing on one thread/), 'the page says it runs on one thread');
  check(current.consoleErrors.length === 0, `no console error (${current.consoleErrors.slice(0, 3).join(' | ')})`);

  // The panel layout through the URL: drag the kernel-diagnostics panel by its title bar. The
  // places are read after a few frames drawn for the mouse (the interface draws on demand).
  await page.mouse.move(640, 400);
  await page.waitForTimeout(300);
  const panels = await page.evaluate(() => window.strata.panels());
  const diag = panels.find((q) => q.title === 'Kernel diagnostics');
  check(
    panels.length === 9 &&
      diag !== undefined &&
      panels.some((q) => q.title === 'Messages') &&
      panels.some((q) => q.title === 'Find, neighbours, walk'),
    'the nine panels (Messages and Find, neighbours, walk among them) report their places',
  );
  await page.mouse.move(diag.x + 60, diag.y + 8);
  await page.mouse.down();
  for (let k = 1; k <= 10; k++) {
    await page.mouse.move(diag.x + 60 - 12 * k, diag.y + 8 - 6 * k);
    await page.waitForTimeout(30);
  }
  await page.mouse.up();
  await page.waitForTimeout(100);
  const moved = (await page.evaluate(() => window.strata.panels())).find((q) => q.title === 'Kernel diagnostics');
  // The URL follows the panel within a tick (250 ms); wait for the final place, not one mid-drag.
  const place = `6.${Math.round(moved.x)}.${Math.round(moved.y)}.`;
  await page.waitForFunction(
    (want) => (new URL(location.href).searchParams.get('layout') ?? '').startsWith(want),
    place,
    { timeout: 10000 },
  );
  const url = page.url();
  check(
    Math.abs(moved.x - (diag.x - 120)) <= 2 && Math.abs(moved.y - (diag.y - 60)) <= 2,
    `the panel moved by the drag (${diag.x},${diag.y} -> ${moved.x},${moved.y})`,
  );
  log(`URL with the layout: ${url}`);
  const again = await current.browser.context.newPage();
  await again.goto(url);
  await again.waitForFunction(() => window.strata?.generation >= 1, null, { timeout: 120000 });
  await again.waitForTimeout(300);
  const restored = (await again.evaluate(() => window.strata.panels())).find((q) => q.title === 'Kernel diagnostics');
  check(
    Math.abs(restored.x - moved.x) <= 1 && Math.abs(restored.y - moved.y) <= 1,
    `the shared URL reopens the panel where it was moved (${restored.x},${restored.y})`,
  );
  await page.screenshot({ path: path.join(out, 'static-host.png') });
  await closeCase();
}

// 3. A corrupt manifest: the page stays up; dropped files are analysed ------------------------------------
async function corruptManifest() {
  log('case: a corrupt models/manifest.json');
  const dir = siteCopy('corrupt-manifest', (models) => {
    const text = fs.readFileSync(path.join(models, 'manifest.json'), 'utf8');
    fs.writeFileSync(path.join(models, 'manifest.json'), text.slice(0, Math.floor(text.length / 2)));
  });
  current = await open(dir, `?n=${N}`);
  const { page } = current;
  const failed = await page.evaluate(() =>
    window.strata.ready.then(
      () => null,
      (e) => e.message,
    ),
  );
  check(failed !== null && /Nothing to analyse yet/.test(failed), `ready is rejected with the reason (${failed})`);
  const list = await messages(page);
  check(
    hasMessage(list, /^models\/manifest\.json: line \d+, column \d+: /),
    `the message names the manifest, line and column (${list[0]})`,
  );
  const drawn0 = await page.evaluate(() => window.strata.framesDrawn);
  for (let i = 0; i < 30; i++) {
    await page.mouse.move(600 + 50 * Math.cos(i / 4), 400 + 50 * Math.sin(i / 4));
    await sleep(20);
  }
  const drawn = (await page.evaluate(() => window.strata.framesDrawn)) - drawn0;
  check(drawn >= 5, `the interface keeps drawing (${drawn} frames while the mouse moved)`);
  await page.screenshot({ path: path.join(out, 'corrupt-manifest.png') });
  // Still useful: drop a model and images.
  const enc = path.join(files, 'mine_encoder.onnx'),
    dec = path.join(files, 'mine_decoder.onnx'),
    x = path.join(files, 'sample.npy');
  fs.copyFileSync(path.join(site, 'models', 'cae', 'encoder.onnx'), enc);
  fs.copyFileSync(path.join(site, 'models', 'cae', 'decoder.onnx'), dec);
  fs.writeFileSync(x, sampleNpy(site, N));
  await drop(page, [enc, dec, x]);
  await settled(page);
  const results = await page.evaluate(() => window.strata.results);
  check(
    results?.models?.length === 1 && results.models[0].name === 'mine' && results.settings.n === N,
    'a dropped model and images are analysed despite the manifest',
  );
  check(current.consoleErrors.length === 0, `no console error (${current.consoleErrors.slice(0, 3).join(' | ')})`);
  await closeCase();
}

// 4. Broken model files: each is reported and skipped, the rest analysed ------------------------------------
async function brokenModels() {
  log('case: a missing decoder, truncated encoders, a path outside the models folder, entries without a size or hash');
  const dir = siteCopy('broken-models', (models) => {
    const m = readManifest(models);
    fs.rmSync(path.join(models, 'dae', 'decoder.onnx')); // missing: HTTP 404
    const cut = (file) => {
      // half of the file
      const p = path.join(models, file);
      const b = fs.readFileSync(p);
      fs.writeFileSync(p, b.subarray(0, Math.floor(b.length / 2)));
      return fs.readFileSync(p);
    };
    cut('vae/encoder.onnx'); // the manifest's size catches it
    const beta = m.models.find((e) => e.name === 'beta-vae'); // the manifest agrees: ORT catches it
    const b = cut(beta.files.encoder.path);
    Object.assign(beta.files.encoder, { bytes: b.length, sha256: sha256(b) });
    const sparse = m.models.find((e) => e.name === 'sparse');
    sparse.files.decoder.path = '../../index.html'; // outside the models folder
    // Copies of the valid cae entry, each without one file's size or hash: refused, not fetched.
    const cae = m.models.find((e) => e.name === 'cae');
    const copy = (name, part, field) => {
      const e = JSON.parse(JSON.stringify(cae));
      e.name = name;
      delete e.files[part][field];
      m.models.push(e);
    };
    copy('cae-nosize', 'encoder', 'bytes');
    copy('cae-nohash', 'decoder', 'sha256');
    writeManifest(models, m);
  });
  current = await open(dir, `?n=${N}`);
  const { page } = current;
  const results = await page.evaluate(() => window.strata.ready);
  check(
    results.models.map((m) => m.name).join() === 'cae',
    `the valid model is analysed (${results.models.map((m) => m.name)})`,
  );
  const list = await messages(page);
  log(list.join('\n'));
  check(
    hasMessage(list, /^models\/dae\/decoder\.onnx: HTTP 404 \(model 'dae' skipped\)/),
    'a missing file: HTTP 404, the model named',
  );
  check(
    hasMessage(
      list,
      /^models\/vae\/encoder\.onnx: \d+ bytes, models\/manifest\.json says \d+ \(truncated or replaced\?\)/,
    ),
    'a truncated file: its size against the manifest',
  );
  check(
    hasMessage(list, /^models\/beta-vae\/encoder\.onnx: not a loadable ONNX model/),
    'a truncated ONNX file: ONNX Runtime refuses it, the file named',
  );
  check(
    hasMessage(
      list,
      /model "sparse" skipped: files\.decoder\.path "\.\.\/\.\.\/index\.html" is not a relative path inside the models folder/,
    ),
    'a path outside the models folder: the entry skipped',
  );
  check(
    hasMessage(list, /^models\/manifest\.json: model "cae-nosize" skipped: files\.encoder\.bytes is missing$/) &&
      hasMessage(list, /^models\/manifest\.json: model "cae-nohash" skipped: files\.decoder\.sha256 is missing$/),
    "an entry without a file's size or hash: refused, the entry and the field named",
  );
  check(
    current.consoleErrors.every((e) => /404/.test(e)),
    `no console error but the 404 (${current.consoleErrors.slice(0, 3).join(' | ')})`,
  );
  await page.screenshot({ path: path.join(out, 'broken-models.png') });
  await closeCase();
}

// 5. Unusable images --------------------------------------------------------------------------------------------------
// Images of another size are converted to each model's input (not a fault); a sample whose header
// promises more images than it holds, and a dropped .npy of 5-channel images, are.
async function wrongImages() {
  log('case: truncated sample images, then dropped .npy images');
  const dir = siteCopy('wrong-images', (models) => {
    const m = keepModels(readManifest(models), ['cae']);
    const count = 100,
      header = Buffer.alloc(16);
    header.writeUInt32BE(0x803, 0);
    header.writeUInt32BE(count, 4);
    header.writeUInt32BE(32, 8);
    header.writeUInt32BE(32, 12);
    const bytes = Buffer.concat([header, Buffer.alloc((count / 2) * 32 * 32, 7)]);
    fs.writeFileSync(path.join(models, m.sample.images.path), bytes);
    Object.assign(m.sample.images, { bytes: bytes.length, sha256: sha256(bytes) });
    writeManifest(models, m);
  });
  current = await open(dir, `?n=${N}`);
  const { page } = current;
  await settled(page);
  let list = await messages(page);
  check(
    hasMessage(list, /^models\/sample\/t10k-images-idx3-ubyte: truncated IDX file/),
    'the truncated sample is named',
  );
  check(
    await page.evaluate(() => /no images to analyse/.test(window.strata.waiting ?? '')),
    'the page waits for images',
  );
  const wrong = path.join(files, 'wide.npy'),
    right = path.join(files, 'sample.npy');
  fs.writeFileSync(wrong, npy([2, 5, 32, 32], new Array(2 * 5 * 32 * 32).fill(0.5)));
  fs.writeFileSync(right, sampleNpy(site, N));
  await drop(page, [wrong]);
  list = await messages(page);
  check(
    hasMessage(list, /^wide\.npy: expected images N x C x H x W or N x H x W x C with C = 1 or 3/),
    'a dropped .npy of 5-channel images is named',
  );
  await drop(page, [right]);
  await settled(page);
  const results = await page.evaluate(() => window.strata.results);
  check(
    results?.models?.[0]?.name === 'cae' && results.settings.n === N,
    'valid dropped images are analysed by the loaded model',
  );
  await closeCase();
}

// 6. An absurd URL ----------------------------------------------------------------------------------------------------
async function absurdUrl() {
  log('case: an absurd URL state');
  const dir = siteCopy('absurd-url', () => {});
  const query =
    `?n=${N}&metric=evil&energy=2&sigma=abc&sample=99999999&hide=%ZZ&layout=1.2&seed=1e99` +
    `&models=nosuch,cae&view=..%2Fetc&color=%3Cscript%3E&bogus=%3Cimg%20src%3Dx%3E&tsne=maybe&x=${'a'.repeat(3000)}`;
  current = await open(dir, query);
  const { page } = current;
  const results = await page.evaluate(() => window.strata.ready);
  check(
    results.models.map((m) => m.name).join() === 'cae' && results.settings.n === N,
    'the study runs with what is valid (cae, N)',
  );
  check(
    results.models[0].geometry.metric === 'log-euclidean' && results.models[0].geometry.energy === 0.95,
    'bad settings fall back to the defaults',
  );
  const list = await messages(page);
  for (const re of [
    /metric=evil is not a metric/,
    /energy=2 is not in \(0, 1\]/,
    /sigma=abc is not a number/,
    /sample=99999999 is out of range/,
    /broken %-escape/,
    /layout=1\.2 has a panel/,
    /seed=1e99 is not a whole number/,
    /models=nosuch: no such model/,
    /view=\.\.\/etc is not a model name/,
    /color=<script> is not/,
    /unknown parameter 'bogus'/,
    /tsne=maybe is not/,
    /unknown parameter 'x'/,
  ])
    check(hasMessage(list, re), `message: ${re.source}`);
  check(
    await page.evaluate(() => document.querySelectorAll('img, script:not([src])').length === 0),
    'nothing from the URL became markup',
  );
  await page.waitForFunction(() => !/metric|bogus|energy/.test(location.search), null, { timeout: 5000 });
  const q = new URL(page.url()).searchParams;
  check(
    q.get('n') === String(N) && q.get('models') === 'nosuch,cae' && [...q.keys()].join() === 'n,models,sigma',
    `the URL is rewritten to the state in use, bad values dropped (${new URL(page.url()).search})`,
  );
  check(current.consoleErrors.length === 0, `no console error (${current.consoleErrors.slice(0, 3).join(' | ')})`);
  // 7a. The CSP is enforced: a request to another origin is refused and reported.
  const attempt = await page.evaluate(
    () =>
      new Promise((resolve) => {
        let violation = null;
        document.addEventListener('securitypolicyviolation', (e) => {
          violation = e.violatedDirective;
        });
        fetch('http://192.0.2.1/probe').then(
          () => resolve({ fetched: true, violation }),
          () => setTimeout(() => resolve({ fetched: false, violation }), 100),
        );
      }),
  );
  check(
    !attempt.fetched && attempt.violation === 'connect-src',
    `a foreign fetch is blocked by the CSP (${attempt.violation})`,
  );
  const csp = (await page.request.get(page.url())).headers()['content-security-policy'] ?? '';
  check(
    /default-src 'self'/.test(csp) && /connect-src 'self'/.test(csp),
    'serve.mjs sends the Content-Security-Policy header',
  );
  await closeCase();
}

// 7b. The request log: every request of every case stayed on its page's origin ---------------------------------------
function requestLog() {
  const foreign = requests.filter(
    (r) => !r.url.startsWith(r.origin + '/') && !/^(data|blob):/.test(r.url) && r.url !== 'http://192.0.2.1/probe',
  );
  fs.writeFileSync(path.join(out, 'requests.txt'), requests.map((r) => r.url).join('\n') + '\n');
  check(requests.length > 50, `requests recorded (${requests.length})`);
  check(
    foreign.length === 0,
    `no request left the page's origin (${foreign
      .slice(0, 3)
      .map((r) => r.url)
      .join(', ')})`,
  );
}

runTest('faults.test', main, 'faults: all checks passed');
