// drop.test.mjs: "bring your own" in a real headless Chromium: invalid dropped files give a
// message naming them and change nothing; a valid dropped model joins the comparison.
//
//   node tests/browser/drop.test.mjs --site build/wasm/site --out DIR [--n 60]
//
// Index: 1. arguments  2. the files to drop (made in DIR/drop-files)  3. main: load the page, then
//        the steps below in order  4. invalid files through the file input: messages, results
//        unchanged  5. an invalid file through a real drop event on the canvas  6. a valid model
//        (the shipped `sparse` encoder and decoder under a new name): it joins, with the ranks of
//        `sparse`  7. a model with the wrong input (a decoder) and an encoder alone (PSNR null)
//        8. the sample's first N images as a dropped .npy: every model reruns on them, same ranks
//        9. PNG images made in the page (one unreadable: nothing replaced; then three, one of them
//        resized)
//
// Why `sparse` copied: same weights on the same images must give the same ranks, so the dropped
// path (validation, a user model in the study) is checked against a known answer with no
// reference run. N = 60 keeps it quick.
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
  startServer,
  stopAll,
  testArgs,
} from './harness.mjs';

// 1. Arguments ---------------------------------------------------------------------------------------
const { site, out, n, chromiumPath } = testArgs('browser-drop-test', 60);

// Resolves once the page has settled after a drop: no study and no check of files running, and
// the messages list longer than `before`.
const settled = (page, before) =>
  page.waitForFunction(
    (b) => !window.strata.busy && !window.strata.dropping && window.strata.messages.length > b,
    before,
    { timeout: 60000 },
  );

// 2. The files to drop ----------------------------------------------------------------------------------------
function makeFiles() {
  const dir = path.join(out, 'drop-files');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const models = path.join(site, 'models');
  const cae = fs.readFileSync(path.join(models, 'cae', 'encoder.onnx'));
  const files = {
    truncated: path.join(dir, 'cut_encoder.onnx'),
    nanNpy: path.join(dir, 'nan_images.npy'),
    text: path.join(dir, 'notes.txt'),
    encoder: path.join(dir, 'mysparse_encoder.onnx'),
    decoder: path.join(dir, 'mysparse_decoder.onnx'),
    wrongInput: path.join(dir, 'wrongin.onnx'),
    alone: path.join(dir, 'nodec_encoder.onnx'),
    sampleNpy: path.join(dir, 'sample.npy'),
  };
  fs.writeFileSync(files.truncated, cae.subarray(0, Math.floor(cae.length / 2)));
  // A valid .npy of 2 x 28 x 28 images whose first pixel is NaN.
  const data = new Float32Array(2 * 28 * 28).fill(0.5);
  data[0] = NaN;
  fs.writeFileSync(files.nanNpy, npy([2, 28, 28], data));
  fs.writeFileSync(files.sampleNpy, sampleNpy(site, n));
  fs.writeFileSync(files.text, 'not a model\n');
  fs.copyFileSync(path.join(models, 'sparse', 'encoder.onnx'), files.encoder);
  fs.copyFileSync(path.join(models, 'sparse', 'decoder.onnx'), files.decoder);
  fs.copyFileSync(path.join(models, 'sparse', 'decoder.onnx'), files.wrongInput);
  fs.copyFileSync(path.join(models, 'sparse', 'encoder.onnx'), files.alone);
  return files;
}

// 3. main ---------------------------------------------------------------------------------------------------
// Every step takes the test's state `t`: {files, page, consoleErrors, before (the first study's
// results as JSON), sparse (the shipped model's results), ...}.
async function main() {
  const manifest = JSON.parse(fs.readFileSync(path.join(site, 'models', 'manifest.json'), 'utf8'));
  if (!manifest.models?.some((m) => m.name === 'sparse'))
    throw new Error('models/manifest.json has no `sparse` model to copy');
  fs.mkdirSync(out, { recursive: true });
  const t = { files: makeFiles() };
  const server = await startServer(site);
  log(`server pid ${server.pid} at ${server.url}`);
  let browser;
  try {
    browser = await launchChromium(chromiumPath);
    // cae and sparse: the dropped model below is a copy of sparse (not among the default models).
    ({ page: t.page, consoleErrors: t.consoleErrors } = await openExplorer(
      browser,
      `${server.url}?n=${n}&models=cae,sparse`,
    ));
    t.before = await t.page.evaluate(() => window.strata.ready.then(() => JSON.stringify(window.strata.results)));
    log(`default study done (N = ${n})`);
    await invalidFiles(t);
    await dropEvent(t);
    await validModel(t);
    await wrongInputAndAlone(t);
    await droppedNpy(t);
    await pngImages(t);
    await t.page.screenshot({ path: path.join(out, 'drop.png') });
    check(t.consoleErrors.length === 0, `no console error ${t.consoleErrors.slice(0, 3).join(' | ')}`);
  } catch (e) {
    await screenshotOnFailure(t.page, path.join(out, 'drop-failure.png'));
    throw e;
  } finally {
    await stopAll(server, browser); // server by PID, Chromium, its profile
  }
}

const messagesOf = (page) => page.evaluate(() => window.strata.messages);
// A model's sets as [sigma, ranks, strata]: equal for the same weights on the same images.
const ranks = (m) => JSON.stringify(m?.sets.map((s) => [s.sigma, s.ranks, s.strata]));

// 4. Invalid files through the file input -------------------------------------------------------------------------
async function invalidFiles(t) {
  const { page, files } = t;
  await page.setInputFiles('#drop-input', [files.truncated, files.nanNpy]);
  await settled(page, 0);
  const messages = await messagesOf(page);
  log(`messages: ${JSON.stringify(messages)}`);
  check(
    messages.some((m) => m.startsWith('cut_encoder.onnx:') && /ONNX/.test(m)),
    'a truncated ONNX file: a message naming it',
  );
  check(
    messages.some((m) => m.startsWith('nan_images.npy:') && /NaN/.test(m)),
    'a .npy with NaN: a message naming it',
  );
  const shown = await page.evaluate(() => document.getElementById('drop-messages').textContent);
  check(shown.includes('cut_encoder.onnx'), 'the message is shown in the page');
  const unchanged = await page.evaluate(() => JSON.stringify(window.strata.results));
  check(
    unchanged === t.before && (await page.evaluate(() => window.strata.generation)) === 1,
    'invalid files leave the results unchanged (no rerun)',
  );
}

// 5. A real drop event on the canvas (a DataTransfer with a File), an unsupported file ---------------------------
async function dropEvent(t) {
  const { page } = t;
  const count = (await messagesOf(page)).length;
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['not a model'], 'notes.txt'));
    document
      .getElementById('canvas')
      .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await settled(page, count);
  const messages = await messagesOf(page);
  check(
    messages.some((m) => m.startsWith('notes.txt:')),
    'a file dropped on the canvas is checked: a message naming it',
  );
}

// 6. A valid model: the shipped `sparse` under a new name -----------------------------------------------------------
async function validModel(t) {
  const { page, files } = t;
  await page.setInputFiles('#drop-input', [files.encoder, files.decoder]);
  await page.waitForFunction(() => window.strata.generation >= 2 && !window.strata.busy, null, { timeout: 60000 });
  const results = await page.evaluate(() => window.strata.results);
  fs.writeFileSync(path.join(out, 'page-after-drop.json'), JSON.stringify(results, null, 1));
  const mine = results.models.find((m) => m.name === 'mysparse');
  const sparse = (t.sparse = results.models.find((m) => m.name === 'sparse'));
  check(
    mine?.kind === 'user',
    `the dropped model joins as 'mysparse', kind user (${results.models.map((m) => m.name).join(', ')})`,
  );
  check(
    mine && mine.sets.length === sparse.sets.length && ranks(mine) === ranks(sparse),
    'its sets have the ranks and strata of the shipped sparse model',
  );
  check(
    mine && mine.sets.every((s, k) => Math.abs(s.psnr_mean - sparse.sets[k].psnr_mean) < 1e-3),
    "with its decoder, PSNR is computed (equal to sparse's)",
  );
  const old = JSON.parse(t.before).models;
  check(
    old.every((m) => ranks(results.models.find((r) => r.name === m.name)) === ranks(m)),
    'the models already loaded are kept, unchanged',
  );
}

// 7. A model with the wrong input (sparse's decoder takes the latent) and an encoder alone ------------------------
async function wrongInputAndAlone(t) {
  const { page, files } = t;
  const count = (await messagesOf(page)).length;
  await page.setInputFiles('#drop-input', [files.wrongInput, files.alone]);
  await page.waitForFunction(() => window.strata.generation >= 3 && !window.strata.busy, null, { timeout: 60000 });
  const messages = (await messagesOf(page)).slice(count);
  log(`messages: ${JSON.stringify(messages)}`);
  check(
    messages.some((m) => m.startsWith('wrongin.onnx:') && /64 channels.*1 \(gray\) or 3 \(RGB\)/.test(m)),
    'a model with the wrong input: a message naming it',
  );
  t.r3 = await page.evaluate(() => window.strata.results);
  const alone = t.r3.models.find((m) => m.name === 'nodec');
  check(!t.r3.models.some((m) => m.name === 'wrongin'), 'the invalid model is not added');
  check(
    alone &&
      ranks(alone) === ranks(t.sparse) &&
      alone.sets.every((s) => s.psnr_mean === null && s.psnr_std === null) &&
      alone.decoder_sha256 === null,
    'an encoder alone joins, same ranks, PSNR null',
  );
}

// 8. Dropped images: the same images as a .npy, so every model reruns and must give the same ranks ---------------
async function droppedNpy(t) {
  const { page, files, r3 } = t;
  const count = (await messagesOf(page)).length;
  await page.setInputFiles('#drop-input', [files.sampleNpy]);
  await page.waitForFunction(() => window.strata.generation >= 4 && !window.strata.busy, null, { timeout: 90000 });
  const r4 = await page.evaluate(() => window.strata.results);
  log(`messages: ${JSON.stringify((await messagesOf(page)).slice(count))}`);
  check(
    r4.settings.n === n && /sample\.npy/.test(r4.settings.images_file),
    `the dropped images are analysed (${r4.settings.images_file}, N = ${r4.settings.n})`,
  );
  check(
    r4.models.length === r3.models.length &&
      r4.models.every((m) => ranks(m) === ranks(r3.models.find((o) => o.name === m.name))),
    'every model reran on them with the same ranks (the same images)',
  );
}

// 9. PNG images, made in the page and dropped on the canvas ---------------------------------------------------------
const dropPngs = (page, specs) =>
  page.evaluate(async (specs) => {
    const dt = new DataTransfer();
    for (const { name, size, broken } of specs) {
      const c = new OffscreenCanvas(size, size);
      const g = c.getContext('2d');
      g.fillStyle = '#000';
      g.fillRect(0, 0, size, size);
      g.fillStyle = '#fff';
      g.fillRect(size / 4, size / 4 + name.length, size / 2, size / 3);
      const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
      dt.items.add(new File([broken ? bytes.subarray(0, 40) : bytes], name, { type: 'image/png' }));
    }
    document
      .getElementById('canvas')
      .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, specs);

async function pngImages(t) {
  const { page } = t;
  const count = (await messagesOf(page)).length;
  await dropPngs(page, [
    { name: 'broken.png', size: 28, broken: true },
    { name: 'a.png', size: 28 },
  ]);
  await settled(page, count + 1);
  const messages = (await messagesOf(page)).slice(count);
  log(`messages: ${JSON.stringify(messages)}`);
  check(
    messages.some((m) => m.startsWith('broken.png:')) &&
      (await page.evaluate(() => window.strata.generation)) === 4 &&
      (await page.evaluate(() => window.strata.results.settings.n)) === n,
    'an unreadable PNG: a message naming it, images kept',
  );
  await dropPngs(page, [
    { name: 'a.png', size: 28 },
    { name: 'bb.png', size: 56 },
    { name: 'ccc.png', size: 28 },
  ]);
  await page.waitForFunction(() => window.strata.generation >= 5 && !window.strata.busy, null, { timeout: 90000 });
  const r5 = await page.evaluate(() => window.strata.results);
  check(
    r5.settings.n === 3 && r5.models.every((m) => m.sets.length === 7 && m.sets[0].n === 3),
    `three PNG images (one resized from 56 x 56) are analysed by every model (N = ${r5.settings.n})`,
  );
}

runTest('drop.test.mjs', main, 'all drop checks passed');
