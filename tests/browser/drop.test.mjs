// drop.test.mjs: "bring your own" (issue 4) in a real headless Chromium: invalid dropped files give
// a message naming them and change nothing; a valid dropped model joins the comparison.
//
//   node tests/browser/drop.test.mjs --site build/wasm/site --out DIR [--n 60]
//
// Index: 1. arguments and helpers  2. the files to drop (made in DIR/drop-files)  3. load the page
//        4. invalid files through the file input: messages, results unchanged  5. an invalid file
//        through a real drop event on the canvas  6. a valid model (the shipped `sparse` encoder
//        and decoder under a new name): it joins, with the ranks of `sparse`  7. a model with the
//        wrong input (a decoder) and an encoder alone (PSNR null)  8. the sample's first N images
//        as a dropped .npy: every model reruns on them, same ranks  9. PNG images made in the page
//        (one unreadable: nothing replaced; then three, one of them resized)  10. clean-up
//
// Why `sparse` copied: same weights on the same images must give the same ranks, so the dropped
// path (validation, a user model in the study) is checked against a known answer with no
// reference run. N = 60 keeps it quick (the whole test about a minute on 2 busy cores).
import fs from 'node:fs';
import path from 'node:path';
import { check, launchChromium, log, openExplorer, repo, runTest, screenshotOnFailure, startServer, stopAll } from './harness.mjs';

// 1. Arguments and helpers ---------------------------------------------------------------------------
const arg = (name, d) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : d; };
const site = path.resolve(arg('site', path.join(repo, 'build/wasm/site')));
const out = path.resolve(arg('out', path.join(repo, 'build/wasm/browser-drop-test')));
const n = Number(arg('n', 60));
const chromiumPath = arg('chromium', '/usr/bin/chromium');

// Resolves once the page has settled after a drop: no study and no check of files running, and
// the messages list longer than `before`.
const settled = (page, before) => page.waitForFunction(
  (b) => !window.strata.busy && !window.strata.dropping && window.strata.messages.length > b, before, { timeout: 60000 });

// 2. The files to drop ----------------------------------------------------------------------------------------
function makeFiles(manifest) {
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
  // A valid .npy header (format 1.0, float32, 2 x 28 x 28) whose first pixel is NaN.
  let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 28, 28), }";
  header = header.padEnd(118 - 1, ' ') + '\n';   // 10-byte preamble + header = 128 bytes
  const data = new Float32Array(2 * 28 * 28).fill(0.5);
  data[0] = NaN;
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
  fs.writeFileSync(files.nanNpy, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]));
  // The sample's first n images as N x 1 x 28 x 28, byte / 255 in float32 as the page reads the IDX file.
  const idx = fs.readFileSync(path.join(models, manifest.sample.images.path));
  const x = Float32Array.from(idx.subarray(16, 16 + n * 784), (b) => b / 255);
  let h2 = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, 1, 28, 28), }`;
  h2 = h2.padEnd(118 - 1, ' ') + '\n';
  fs.writeFileSync(files.sampleNpy, Buffer.concat([pre, Buffer.from(h2, 'latin1'), Buffer.from(x.buffer)]));
  fs.writeFileSync(files.text, 'not a model\n');
  fs.copyFileSync(path.join(models, 'sparse', 'encoder.onnx'), files.encoder);
  fs.copyFileSync(path.join(models, 'sparse', 'decoder.onnx'), files.decoder);
  fs.copyFileSync(path.join(models, 'sparse', 'decoder.onnx'), files.wrongInput);
  fs.copyFileSync(path.join(models, 'sparse', 'encoder.onnx'), files.alone);
  return files;
}

async function main() {
  const manifest = JSON.parse(fs.readFileSync(path.join(site, 'models', 'manifest.json'), 'utf8'));
  if (!manifest.models?.some((m) => m.name === 'sparse')) throw new Error('models/manifest.json has no `sparse` model to copy');
  fs.mkdirSync(out, { recursive: true });
  const files = makeFiles(manifest);
  const server = await startServer(site);
  log(`server pid ${server.pid} at ${server.url}`);
  let browser, page;
  try {
    // 3. Load ----------------------------------------------------------------------------------------------------
    browser = await launchChromium(chromiumPath);
    let consoleErrors;
    // cae and sparse: the dropped model below is a copy of sparse (not among the default models).
    ({ page, consoleErrors } = await openExplorer(browser, `${server.url}?n=${n}&models=cae,sparse`));
    const before = await page.evaluate(() => window.strata.ready.then(() => JSON.stringify(window.strata.results)));
    log(`default study done (N = ${n})`);

    // 4. Invalid files through the file input ----------------------------------------------------------------------
    await page.setInputFiles('#drop-input', [files.truncated, files.nanNpy]);
    await settled(page, 0);
    let messages = await page.evaluate(() => window.strata.messages);
    log(`messages: ${JSON.stringify(messages)}`);
    check(messages.some((m) => m.startsWith('cut_encoder.onnx:') && /ONNX/.test(m)), 'a truncated ONNX file: a message naming it');
    check(messages.some((m) => m.startsWith('nan_images.npy:') && /NaN/.test(m)), 'a .npy with NaN: a message naming it');
    const shown = await page.evaluate(() => document.getElementById('drop-messages').textContent);
    check(shown.includes('cut_encoder.onnx'), 'the message is shown in the page');
    const unchanged = await page.evaluate(() => JSON.stringify(window.strata.results));
    check(unchanged === before && await page.evaluate(() => window.strata.generation) === 1,
          'invalid files leave the results unchanged (no rerun)');

    // 5. A real drop event on the canvas (a DataTransfer with a File), an unsupported file ---------------------
    const count = messages.length;
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['not a model'], 'notes.txt'));
      document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await settled(page, count);
    messages = await page.evaluate(() => window.strata.messages);
    check(messages.some((m) => m.startsWith('notes.txt:')), 'a file dropped on the canvas is checked: a message naming it');

    // 6. A valid model: the shipped `sparse` under a new name ---------------------------------------------------------
    await page.setInputFiles('#drop-input', [files.encoder, files.decoder]);
    await page.waitForFunction(() => window.strata.generation >= 2 && !window.strata.busy, null, { timeout: 60000 });
    const results = await page.evaluate(() => window.strata.results);
    fs.writeFileSync(path.join(out, 'page-after-drop.json'), JSON.stringify(results, null, 1));
    const mine = results.models.find((m) => m.name === 'mysparse');
    const sparse = results.models.find((m) => m.name === 'sparse');
    check(mine?.kind === 'user', `the dropped model joins as 'mysparse', kind user (${results.models.map((m) => m.name).join(', ')})`);
    const ranks = (m) => JSON.stringify(m?.sets.map((s) => [s.sigma, s.ranks, s.strata]));
    check(mine && mine.sets.length === sparse.sets.length && ranks(mine) === ranks(sparse),
          'its sets have the ranks and strata of the shipped sparse model');
    check(mine && mine.sets.every((s, k) => Math.abs(s.psnr_mean - sparse.sets[k].psnr_mean) < 1e-3),
          'with its decoder, PSNR is computed (equal to sparse\'s)');
    const old = JSON.parse(before).models;
    check(old.every((m) => ranks(results.models.find((r) => r.name === m.name)) === ranks(m)), 'the models already loaded are kept, unchanged');

    // 7. A model with the wrong input (sparse's decoder takes the latent) and an encoder alone ----------------
    let count2 = (await page.evaluate(() => window.strata.messages)).length;
    await page.setInputFiles('#drop-input', [files.wrongInput, files.alone]);
    await page.waitForFunction(() => window.strata.generation >= 3 && !window.strata.busy, null, { timeout: 60000 });
    messages = (await page.evaluate(() => window.strata.messages)).slice(count2);
    log(`messages: ${JSON.stringify(messages)}`);
    check(messages.some((m) => m.startsWith('wrongin.onnx:') && /1 x 1 x 28 x 28/.test(m)), 'a model with the wrong input: a message naming it');
    const r3 = await page.evaluate(() => window.strata.results);
    const alone = r3.models.find((m) => m.name === 'nodec');
    check(!r3.models.some((m) => m.name === 'wrongin'), 'the invalid model is not added');
    check(alone && ranks(alone) === ranks(sparse) && alone.sets.every((s) => s.psnr_mean === null && s.psnr_std === null) &&
          alone.decoder_sha256 === null, 'an encoder alone joins, same ranks, PSNR null');

    // 8. Dropped images: the same images as a .npy, so every model reruns and must give the same ranks ----------
    count2 = (await page.evaluate(() => window.strata.messages)).length;
    await page.setInputFiles('#drop-input', [files.sampleNpy]);
    await page.waitForFunction(() => window.strata.generation >= 4 && !window.strata.busy, null, { timeout: 90000 });
    const r4 = await page.evaluate(() => window.strata.results);
    log(`messages: ${JSON.stringify((await page.evaluate(() => window.strata.messages)).slice(count2))}`);
    check(r4.settings.n === n && /sample\.npy/.test(r4.settings.images_file), `the dropped images are analysed (${r4.settings.images_file}, N = ${r4.settings.n})`);
    check(r4.models.length === r3.models.length && r4.models.every((m) => ranks(m) === ranks(r3.models.find((o) => o.name === m.name))),
          'every model reran on them with the same ranks (the same images)');

    // 9. PNG images, made in the page and dropped on the canvas -----------------------------------------------
    const dropPngs = (specs) => page.evaluate(async (specs) => {
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
      document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, specs);
    count2 = (await page.evaluate(() => window.strata.messages)).length;
    await dropPngs([{ name: 'broken.png', size: 28, broken: true }, { name: 'a.png', size: 28 }]);
    await settled(page, count2 + 1);
    messages = (await page.evaluate(() => window.strata.messages)).slice(count2);
    log(`messages: ${JSON.stringify(messages)}`);
    check(messages.some((m) => m.startsWith('broken.png:')) && await page.evaluate(() => window.strata.generation) === 4 &&
          (await page.evaluate(() => window.strata.results.settings.n)) === n, 'an unreadable PNG: a message naming it, images kept');
    await dropPngs([{ name: 'a.png', size: 28 }, { name: 'bb.png', size: 56 }, { name: 'ccc.png', size: 28 }]);
    await page.waitForFunction(() => window.strata.generation >= 5 && !window.strata.busy, null, { timeout: 90000 });
    const r5 = await page.evaluate(() => window.strata.results);
    check(r5.settings.n === 3 && r5.models.every((m) => m.sets.length === 7 && m.sets[0].n === 3),
          `three PNG images (one resized from 56 x 56) are analysed by every model (N = ${r5.settings.n})`);
    await page.screenshot({ path: path.join(out, 'drop.png') });
    check(consoleErrors.length === 0, `no console error ${consoleErrors.slice(0, 3).join(' | ')}`);
  } catch (e) {
    await screenshotOnFailure(page, path.join(out, 'drop-failure.png'));
    throw e;
  } finally {
    // 10. Clean-up (server by PID, Chromium, its profile) ----------------------------------------------------------
    await stopAll(server, browser);
  }
}

runTest('drop.test.mjs', main, 'all drop checks passed');
