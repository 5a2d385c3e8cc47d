// explorer.test.mjs: the browser explorer (issue 4) in a real headless Chromium, end to end.
//
//   node tests/browser/explorer.test.mjs --site build/wasm/site --strata STRATA --out DIR [--n 300]
//
// Index: 1. arguments and helpers  2. the reference: `strata characterize` on the site's models
//        3. the server (harness.mjs, started and stopped by PID)  4. Chromium (harness.mjs)
//        5. load: no console error, window.strata.ready  6. parity (the paper's models, then all
//        after adding the others with their buttons)  7. the noise slider through
//        the canvas  8. hover and click in the kernel-PCA view, a strata-table row
//        9. a model toggle  10. a settings change (centered off, Apply): recomputed, and parity
//        again  11. URL round trip in a new page, exports (JSON, CSV, PNG)
//        12. screenshot, figures, clean-up
//
// N: the default study (N = 300, the paper's 3 models, 7 noise levels; then the other 2 added) takes
// 10-20 s in the page on 2 cores (the whole test 50-80 s), so the test runs it as is. If more
// models make it too slow, `--n 60` passes `?n=60` to the page and `--n 60` to the reference run:
// parity is then checked on a smaller but identical input. The run writes DIR/characterize.json,
// DIR/page.json, the exports and DIR/explorer.png (the screenshot artifact).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { check, launchChromium, log, openExplorer, repo, runTest, screenshotOnFailure, startServer, stopAll } from './harness.mjs';
import { compareStudies } from './parity.mjs';

// 1. Arguments and helpers ---------------------------------------------------------------------------
const arg = (name, d) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : d; };
const site = path.resolve(arg('site', path.join(repo, 'build/wasm/site')));
const out = path.resolve(arg('out', path.join(repo, 'build/wasm/browser-test')));
const n = Number(arg('n', 300));
const chromiumPath = arg('chromium', '/usr/bin/chromium');
fs.mkdirSync(out, { recursive: true });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// ImGui sees a press only when the button is held across a frame (about 50 ms at 20 frames/s).
async function click(page, x, y) {
  await page.mouse.move(x, y);
  await sleep(150);
  await page.mouse.down();
  await sleep(150);
  await page.mouse.up();
  await sleep(200);
}
const center = (r) => [r.x + r.w / 2, r.y + r.h / 2];
const rect = (page, name) => page.evaluate((n) => window.strata.view().rects[n], name);

// 2. The reference ------------------------------------------------------------------------------------------
// The native strata program (the native preset's, or --strata), which must have `characterize`.
function findStrata() {
  const strata = path.resolve(repo, arg('strata', 'build/native/native_trainer/strata'));
  if (!fs.existsSync(strata)) return null;
  const r = spawnSync(strata, ['characterize', '--help'], { encoding: 'utf8' });
  if (/unknown command/.test(r.stdout + r.stderr)) {
    log(`${strata} has no 'characterize': it was built without the trainer (STRATA_BUILD_TRAINER=OFF)`);
    return null;
  }
  return strata;
}

function reference(name, extra = []) {
  const strata = findStrata();
  if (!strata) throw new Error('no strata program with the characterize command (build the native preset)');
  const file = path.join(out, name);
  log(`reference: ${path.relative(repo, strata)} characterize --n ${n} ${extra.join(' ')}`);
  const r = spawnSync('nice', ['-n', '5', strata, 'characterize', '--models', path.join(site, 'models'),
    '--data', path.join(site, 'models', 'sample'), '--n', String(n), ...extra, '--out', file, '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`strata characterize failed (${r.status}): ${r.stderr}`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// 3. The server: harness.mjs (web/serve.mjs on a free port, stopped by PID).

async function main() {
  // The shipped models are what the page opens with: a manifest without models is a failure.
  const manifest = JSON.parse(fs.readFileSync(path.join(site, 'models', 'manifest.json'), 'utf8'));
  if (!manifest.models?.length) throw new Error('models/manifest.json lists no models: the page has nothing to show');
  // Both reference runs first: Chromium and characterize are not run at the same time.
  const native = reference('characterize.json', ['--csv', path.join(out, 'characterize-csv')]);
  const nativeUncentered = reference('characterize-uncentered.json', ['--centered', 'false']);
  const server = await startServer(site);
  log(`server pid ${server.pid} at ${server.url}`);
  let browser, context, page;
  try {
    // 4. Chromium (harness.mjs: RECIPES.md flags, a fresh temporary profile) ---------------------------------
    browser = await launchChromium(chromiumPath);
    context = browser.context;
    // 5. Load ---------------------------------------------------------------------------------------------------
    let consoleErrors;
    ({ page, consoleErrors } = await openExplorer(browser, `${server.url}?n=${n}`, (p, errors) => {
      p.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
      p.on('request', (r) => { if (!r.url().startsWith(server.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
        errors.push(`request outside the origin: ${r.url()}`); });
    }));
    // The frame rate while the worker computes: the interface must keep drawing.
    const fpsWhileBusy = [];
    const sampler = setInterval(() => page.evaluate(() => (window.strata?.busy ? window.strata.fps : null))
      .then((f) => { if (f) fpsWhileBusy.push(f); }, () => {}), 1000);
    const results = await page.evaluate(() => window.strata.ready.then(() => window.strata.results), null);
    clearInterval(sampler);
    const fpsMean = fpsWhileBusy.reduce((a, b) => a + b, 0) / Math.max(1, fpsWhileBusy.length);
    log(`frame rate while computing: mean ${fpsMean.toFixed(1)}, min ${Math.min(...fpsWhileBusy).toFixed(1)} frames/s ` +
        `(${fpsWhileBusy.length} samples); ONNX Runtime Web threads: ${await page.evaluate(() => window.strata.ortThreads)}`);
    fs.writeFileSync(path.join(out, 'page.json'), JSON.stringify(results, null, 1));
    const timings = await page.evaluate(() => window.strata.timings);
    log(`timings (ms since navigation / summed): ${JSON.stringify(timings, (k, v) => (typeof v === 'number' ? Math.round(v) : v))}`);
    check(consoleErrors.length === 0, `page loads and completes the study with no console error ${consoleErrors.slice(0, 3).join(' | ')}`);
    const bench = await page.evaluate(() => window.strata.benchCore());
    log(`core alone, whole study per model in one call (ms): ${bench.map((b) => `${b.model} ${Math.round(b.ms)}`).join(', ')}`);

    // 6. Parity ---------------------------------------------------------------------------------------------------
    // The page opens on the paper's models (in_paper in the manifest); the others are added below.
    const paper = manifest.models.filter((m) => m.in_paper !== false).map((m) => m.name);
    const firstNames = paper.length ? paper : manifest.models.map((m) => m.name);
    check(results.models.map((m) => m.name).join() === firstNames.join(), `the page studies the paper's models first (${results.models.map((m) => m.name).join(', ')})`);
    const only = (names) => ({ ...native, models: native.models.filter((m) => names.includes(m.name)) });
    const diffs = compareStudies(results, only(firstNames));
    for (const d of diffs.slice(0, 15)) log(`  parity: ${d}`);
    check(diffs.length === 0, `parity with strata characterize (${firstNames.length} models x ${native.settings.sigmas.length} sets, N = ${n})`);

    // 6b. The other bundled models, added one by one with their buttons: each joins the study (the
    // models already studied are reused: no inference for them), and the URL lists the models.
    for (const name of manifest.models.map((m) => m.name).filter((x) => !firstNames.includes(x))) {
      const g = await page.evaluate(() => window.strata.generation);
      const button = await rect(page, `add_${name}`);
      check(button?.w > 0, `an "add" button for ${name}`);
      if (!button) continue;
      await click(page, ...center(button));
      await page.waitForFunction((gen) => window.strata.generation > gen && !window.strata.busy, g, { timeout: 60000 });
      const run = await page.evaluate(() => window.strata.lastRun);
      log(`${name} added in ${Math.round(run.ms)} ms (inference ${Math.round(run.inference)} ms)`);
    }
    const all = await page.evaluate(() => window.strata.results);
    const diffsAll = compareStudies(all, native);
    for (const d of diffsAll.slice(0, 15)) log(`  parity (all models): ${d}`);
    check(diffsAll.length === 0, `parity with strata characterize after adding the others (${native.models.length} models)`);
    check(new URL(page.url()).searchParams.get('models') === native.models.map((m) => m.name).join(','),
          `the URL lists the studied models (${new URL(page.url()).searchParams.get('models')})`);

    // 7. The noise slider, dragged through the canvas with the mouse ------------------------------------------
    const before = await page.evaluate(() => window.strata.view());
    const r = before.rects.sigma_slider;
    check(r.w > 0, `the noise slider is drawn (at ${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.w)}x${Math.round(r.h)})`);
    const y = r.y + r.h / 2;
    // The pixels too (frames are presented only when their picture changes): the slider's region
    // of a screenshot before and after the drag.
    const sliderClip = { x: r.x, y: r.y, width: r.w, height: r.h };
    const pixelsBefore = await page.screenshot({ clip: sliderClip });
    await page.mouse.move(r.x + r.w * 0.4, y);
    await sleep(150);
    await page.mouse.down();
    await sleep(150);   // hold at least a frame so ImGui sees the press
    await page.mouse.move(r.x + r.w - 2, y, { steps: 5 });
    await sleep(200);
    await page.mouse.up();
    await sleep(200);
    const after = await page.evaluate(() => window.strata.view());
    check(!(await page.screenshot({ clip: sliderClip })).equals(pixelsBefore), 'the slider is drawn anew on the canvas');
    check(after.sigma !== before.sigma && after.sigma === native.settings.sigmas.at(-1),
          `dragging the slider changes the selected sigma (${before.sigma} -> ${after.sigma})`);
    await page.waitForFunction((s) => new URL(location.href).searchParams.get('sigma') === String(s), after.sigma, { timeout: 5000 })
      .then(() => check(true, 'the URL follows the selected sigma'), () => check(false, 'the URL follows the selected sigma'));

    // 8. Hover and click a point of the kernel-PCA view: the clean point of sample 0.
    const emb = results.models[0].sets[0].embedding_2d;
    const target = await rect(page, 'kpca_plot');
    check(target && target.w > 0, 'the kernel-PCA view is drawn');
    if (target && target.w > 0) {
      // The plot's data range is the points' range padded by 5 % (app_panels.cpp, kpca_view).
      const all = [...emb, ...results.models[0].sets.at(-1).embedding_2d];
      const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      const px = (x1 - x0) * 0.05 + 1e-12, py = (y1 - y0) * 0.05 + 1e-12;
      const sx = target.x + ((emb[0][0] - x0 + px) / (x1 - x0 + 2 * px)) * target.w;
      const sy = target.y + target.h - ((emb[0][1] - y0 + py) / (y1 - y0 + 2 * py)) * target.h;
      await page.mouse.move(sx, sy);
      await sleep(300);
      const hovered = await page.evaluate(() => window.strata.view().hoveredSample);
      check(hovered >= 0, `hovering a point shows its tooltip (hovered sample ${hovered}, aimed at 0)`);
      await click(page, sx, sy);
      const sel = await page.evaluate(() => window.strata.view().selectedSample);
      // Another sample can lie within a pixel of sample 0; any selection proves the click path.
      check(sel >= 0, `clicking a point in the kernel-PCA view selects it (selected ${sel}, aimed at 0)`);
      const want = `${results.models[0].name}/${before.sigmaIndex === undefined ? 0 : (await page.evaluate(() => window.strata.view().sigmaIndex))}/${sel}`;
      const strip = await page.waitForFunction((k) => window.strata.view().stripKey === k, want, { timeout: 20000 })
        .then(() => true, () => false);
      check(strip, `the sample strip shows sample ${sel}'s clean, noisy and reconstructed images (${want})`);
    }

    // 8b. A row of the strata table: its members are highlighted (the first model's clean, top stratum).
    const m0 = results.models[0];
    const row = await rect(page, `strata_row_${m0.name}_0_0`);
    if (row) await click(page, row.x + 20, row.y + row.h / 2);
    const hl = await page.evaluate(() => window.strata.view().highlight);
    check(hl.active && hl.model === 0 && hl.k === 0 && JSON.stringify(hl.ranks) === JSON.stringify(m0.sets[0].strata[0].ranks),
          `clicking a strata-table row highlights stratum ${JSON.stringify(m0.sets[0].strata[0].ranks)} of ${m0.name} clean`);

    // 9. A model toggle: the last model's checkbox.
    const lastName = all.models.at(-1).name;
    await click(page, ...center(await rect(page, `model_${lastName}`)));
    const enabled = await page.evaluate(() => window.strata.view().modelsEnabled);
    check(enabled.at(-1) === false && enabled.slice(0, -1).every(Boolean), `clicking ${lastName}'s checkbox hides it`);

    // 10. A settings change through the canvas: untick `centered`, press Apply. Only the geometry
    // is recomputed (latents are reused); the result must equal characterize --centered false.
    await click(page, ...center(await rect(page, 'settings_centered')));
    const gApply = await page.evaluate(() => window.strata.generation);
    await click(page, ...center(await rect(page, 'settings_apply')));
    await page.waitForFunction((gen) => window.strata.generation > gen, gApply, { timeout: 60000 });
    const recomputed = await page.evaluate(() => ({ results: window.strata.results, run: window.strata.lastRun }));
    fs.writeFileSync(path.join(out, 'page-uncentered.json'), JSON.stringify(recomputed.results, null, 1));
    log(`settings change recomputed in ${Math.round(recomputed.run.ms)} ms (inference ${Math.round(recomputed.run.inference)} ms, analysis ${Math.round(recomputed.run.analysis)} ms)`);
    check(recomputed.results.settings.geometry.centered === false, 'Apply recomputes with centered = false');
    const diffs2 = compareStudies(recomputed.results, nativeUncentered);
    for (const d of diffs2.slice(0, 10)) log(`  parity (centered false): ${d}`);
    check(diffs2.length === 0, 'parity with strata characterize --centered false after the change');
    check(recomputed.run.inference === 0, 'a geometry setting reuses the latents (no inference)');

    // 11. URL round trip: the URL now holds the view state; a new page opened on it restores it.
    const shared = page.url();
    log(`view URL: ${shared.slice(server.url.length - 1)}`);
    const state = await page.evaluate(() => window.strata.view());
    const page2 = await context.newPage();
    page2.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`page 2: ${m.text()}`); });
    await page2.goto(shared);
    await page2.waitForFunction(() => window.strata?.view()?.modelsEnabled?.length > 0, null, { timeout: 60000 });
    const state2 = await page2.evaluate(() => ({ view: window.strata.view(), params: window.strata.params }));
    const same = ['sigma', 'selectedSample', 'kpcaModel'].every((k) => state2.view[k] === state[k]) &&
      JSON.stringify(state2.view.modelsEnabled) === JSON.stringify(state.modelsEnabled) &&
      state2.params.geometry.centered === false && state2.params.n === n;
    check(same, `the URL restores the view (sigma ${state2.view.sigma}, sample ${state2.view.selectedSample}, ` +
                `models ${JSON.stringify(state2.view.modelsEnabled)}, centered ${state2.params.geometry.centered})`);
    await page2.close();

    // 11b. Exports through the canvas buttons: JSON equal to window.strata.results, the CSV tables
    // with characterize --csv's header and row count, the canvas as a PNG file.
    const saveDownload = async (name, count = 1) => {
      const files = [];
      const got = new Promise((resolve) => {
        page.on('download', async function onDl(d) {
          const file = path.join(out, `export-${d.suggestedFilename()}`);
          await d.saveAs(file);
          files.push(file);
          if (files.length === count) { page.off('download', onDl); resolve(); }
        });
      });
      await click(page, ...center(await rect(page, name)));
      await Promise.race([got, sleep(15000)]);
      return files;
    };
    const [jsonFile] = await saveDownload('export_json');
    check(jsonFile && JSON.stringify(JSON.parse(fs.readFileSync(jsonFile, 'utf8'))) === JSON.stringify(recomputed.results),
          'Export JSON downloads the results');
    const csvFiles = await saveDownload('export_csv', 2);
    const csvOk = ['summary.csv', 'samples.csv'].every((f) => {
      const mine = csvFiles.find((p) => p.endsWith(f));
      if (!mine) return false;
      const a = fs.readFileSync(mine, 'utf8').split('\n'), b = fs.readFileSync(path.join(out, 'characterize-csv', f), 'utf8').split('\n');
      return a[0] === b[0] && a.length === b.length;
    });
    check(csvOk, 'Export CSV downloads summary.csv and samples.csv with characterize --csv\'s columns and rows');
    const [pngFile] = await saveDownload('export_png');
    check(pngFile && fs.readFileSync(pngFile).subarray(1, 4).toString() === 'PNG' && fs.statSync(pngFile).size > 10000,
          'Save PNG downloads the canvas');

    // The angle spectrum tab, kept as a second screenshot artifact.
    await click(page, ...center(await rect(page, 'tab_angles')));
    await sleep(300);
    await page.screenshot({ path: path.join(out, 'explorer-angles.png') });
    await click(page, ...center(await rect(page, 'tab_curves')));

    // 12. Screenshot and figures -------------------------------------------------------------------------------------
    // The slider back to its left end: the strip's images (noisy, reconstructed) change under the
    // same quads (new texture pixels; their labels change too), before the full-redraw comparison
    // below.
    const stripBefore = await page.evaluate(() => window.strata.view().stripKey);
    const slider = await rect(page, 'sigma_slider');
    await click(page, slider.x + 2, slider.y + slider.h / 2);
    const stripChanged = await page.waitForFunction((k) => window.strata.view().stripKey && window.strata.view().stripKey !== k,
                                                    stripBefore, { timeout: 20000 }).then(() => true, () => false);
    check(stripChanged, `a new sigma shows the selected sample's strip anew (${stripBefore} -> ${await page.evaluate(() => window.strata.view().stripKey)})`);
    // Frames on demand: moving the mouse draws frame after frame; left alone, nothing is drawn.
    const drawn0 = await page.evaluate(() => window.strata.framesDrawn);
    let leastRedrawn = 1;   // the smallest part of the canvas a presented frame drew again
    for (let i = 0; i < 60; i++) {
      await page.mouse.move(600 + 100 * Math.cos(i / 5), 600 + 100 * Math.sin(i / 5));
      await sleep(20);
      const v = await page.evaluate(() => window.strata.view());
      if (v.frameRects > 0) leastRedrawn = Math.min(leastRedrawn, v.frameRedrawn);
    }
    const drawn1 = await page.evaluate(() => window.strata.framesDrawn);
    const fps = await page.evaluate(() => window.strata.fps);
    log(`interface frame rate: ${fps.toFixed(1)} frames/s, ${drawn1 - drawn0} frames while the mouse moved`);
    check(drawn1 - drawn0 >= 10 && fps > 1, 'the interface draws while the mouse moves');
    const presented = await page.evaluate(() => window.strata.framesPresented);
    check(presented > 0 && presented <= drawn1, `frames presented only when the picture changed (${presented} of ${drawn1} built)`);
    await page.mouse.move(5, 795);
    await sleep(1000);
    const rest0 = await page.evaluate(() => window.strata.framesDrawn);
    await sleep(1000);
    const rest1 = await page.evaluate(() => window.strata.framesDrawn);
    check(rest1 === rest0, `left alone, the interface draws nothing (${rest1 - rest0} frames in 1 s)`);
    // Frames redraw only the rectangles whose picture changed (wasm/app/app_present.cpp). After
    // all the partial redraws of this test, the canvas must hold what a full redraw draws.
    check(leastRedrawn < 0.5, `a frame with the mouse moving redraws part of the canvas (least: ${(100 * leastRedrawn).toFixed(1)}%)`);
    const redraw = await page.evaluate(async () => {
      const canvas = document.getElementById('canvas');
      const pixels = () => {
        const copy = new OffscreenCanvas(canvas.width, canvas.height).getContext('2d');
        copy.drawImage(canvas, 0, 0);
        return new Uint32Array(copy.getImageData(0, 0, canvas.width, canvas.height).data.buffer);
      };
      const partial = pixels();
      const presented = window.strata.framesPresented;
      window.strata.redrawAll();
      while (window.strata.framesPresented === presented) await new Promise((r) => requestAnimationFrame(r));
      const full = pixels();
      let differ = 0;
      for (let i = 0; i < full.length; i++) if (full[i] !== partial[i]) differ++;
      return { differ, redrawn: window.strata.view().frameRedrawn, pixels: full.length };
    });
    check(redraw.redrawn === 1 && redraw.differ === 0,
          `the partly redrawn canvas equals a full redraw pixel for pixel (${redraw.differ} of ${redraw.pixels} differ)`);
    await page.screenshot({ path: path.join(out, 'explorer.png') });
    log(`screenshot: ${path.join(out, 'explorer.png')}`);
    check(consoleErrors.length === 0, `no console error during the interaction ${consoleErrors.slice(0, 3).join(' | ')}`);
  } catch (e) {
    await screenshotOnFailure(page, path.join(out, 'explorer-failure.png'));
    throw e;
  } finally {
    await stopAll(server, browser);
  }
}

runTest('explorer.test.mjs', main, 'all browser checks passed');
