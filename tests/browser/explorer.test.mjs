// explorer.test.mjs: the browser explorer in a real headless Chromium, end to end, against
// `strata characterize` on the same files.
//
//   node tests/browser/explorer.test.mjs --site build/wasm/site --strata STRATA --out DIR [--n 300]
//
// Index: 1. arguments  2. the reference: `strata characterize` on the site's models
//        3. main: the steps below in order, in one page
//        4. load: no console error, no request outside the origin, window.strata.ready
//        5. parity: the paper's models, then all after adding the others with their buttons
//        6. the noise slider dragged through the canvas
//        7. hover and click in the kernel-PCA view (the aimed sample), a strata-table row, a model
//           toggle  8. a settings change (centered off, Apply): recomputed, and parity again
//        9. the URL round trip in a new page  10. exports (JSON, CSV value by value, PNG), the angle
//        tab  11. frames: the strip at a new sigma, frames on demand, none presented while nothing
//        changes, a partly redrawn canvas equal to a full redraw  12. screenshot
//
// N: the test runs the page's default study (N = 300, the paper's 3 models, 7 noise levels; then the
// other bundled models added). `--n 60` passes `?n=60` to the page and `--n 60` to the reference
// runs: parity is then checked on a smaller but identical input. The run writes DIR/characterize.json,
// DIR/page.json, the exports and DIR/explorer.png (the screenshot artifact).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  arg,
  center,
  characterizeSite,
  check,
  click,
  isolatedPoint,
  launchChromium,
  log,
  openExplorer,
  rect,
  repo,
  runTest,
  screenshotOnFailure,
  sleep,
  startServer,
  stopAll,
  testArgs,
} from './harness.mjs';
import { compareCsv, compareStudies } from './parity.mjs';

// 1. Arguments ---------------------------------------------------------------------------------------------
const { site, out, n, chromiumPath } = testArgs('browser-test', 300);
fs.mkdirSync(out, { recursive: true });

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
  return characterizeSite(strata, site, n, path.join(out, name), extra);
}

// 3. main -----------------------------------------------------------------------------------------------------
// Every step takes the test's state `t`: {manifest, native, nativeUncentered, server, browser,
// page, consoleErrors, results (the first study), all (after adding models), ...}.
async function main() {
  // The shipped models are what the page opens with: a manifest without models is a failure.
  const manifest = JSON.parse(fs.readFileSync(path.join(site, 'models', 'manifest.json'), 'utf8'));
  if (!manifest.models?.length) throw new Error('models/manifest.json lists no models: the page has nothing to show');
  // Both reference runs first: Chromium and characterize are not run at the same time. The CSV
  // tables are those of the settings the page exports in (step 10: centered false).
  const t = { manifest };
  t.native = reference('characterize.json');
  t.nativeUncentered = reference('characterize-uncentered.json', [
    '--centered',
    'false',
    '--csv',
    path.join(out, 'characterize-csv'),
  ]);
  t.server = await startServer(site);
  log(`server pid ${t.server.pid} at ${t.server.url}`);
  try {
    t.browser = await launchChromium(chromiumPath);
    await load(t);
    parityPaperModels(t);
    await addOtherModels(t);
    await dragSlider(t);
    await hoverAndClick(t);
    await strataRow(t);
    await toggleModel(t);
    await settingsChange(t);
    await urlRoundTrip(t);
    await exports(t);
    await angleTab(t);
    await stripAtNewSigma(t);
    await framesOnDemand(t);
    await fullRedraw(t);
    // 12. Screenshot ----------------------------------------------------------------------------------------------
    await t.page.screenshot({ path: path.join(out, 'explorer.png') });
    log(`screenshot: ${path.join(out, 'explorer.png')}`);
    check(
      t.consoleErrors.length === 0,
      `no console error during the interaction ${t.consoleErrors.slice(0, 3).join(' | ')}`,
    );
  } catch (e) {
    await screenshotOnFailure(t.page, path.join(out, 'explorer-failure.png'));
    throw e;
  } finally {
    await stopAll(t.server, t.browser);
  }
}

// 4. Load: the page computes the default study with no console error and no request elsewhere ---------------
async function load(t) {
  const { url } = t.server;
  ({ page: t.page, consoleErrors: t.consoleErrors } = await openExplorer(t.browser, `${url}?n=${n}`, (p, errors) => {
    p.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    p.on('request', (r) => {
      if (!r.url().startsWith(url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
        errors.push(`request outside the origin: ${r.url()}`);
    });
  }));
  const { page } = t;
  // The frame rate while the worker computes, for the log (bench.mjs measures it frame by frame).
  const fpsWhileBusy = [];
  const sampler = setInterval(
    () =>
      page
        .evaluate(() => (window.strata?.busy ? window.strata.fps : null))
        .then(
          (f) => {
            if (f) fpsWhileBusy.push(f);
          },
          () => {},
        ),
    1000,
  );
  t.results = await page.evaluate(() => window.strata.ready.then(() => window.strata.results), null);
  clearInterval(sampler);
  const fpsMean = fpsWhileBusy.reduce((a, b) => a + b, 0) / Math.max(1, fpsWhileBusy.length);
  log(
    `frame rate while computing: mean ${fpsMean.toFixed(1)}, min ${Math.min(...fpsWhileBusy).toFixed(1)} frames/s ` +
      `(${fpsWhileBusy.length} samples); ONNX Runtime Web threads: ${await page.evaluate(() => window.strata.ortThreads)}`,
  );
  fs.writeFileSync(path.join(out, 'page.json'), JSON.stringify(t.results, null, 1));
  const timings = await page.evaluate(() => window.strata.timings);
  log(
    `timings (ms since navigation / summed): ${JSON.stringify(timings, (k, v) => (typeof v === 'number' ? Math.round(v) : v))}`,
  );
  check(
    t.consoleErrors.length === 0,
    `page loads and completes the study with no console error ${t.consoleErrors.slice(0, 3).join(' | ')}`,
  );
  const bench = await page.evaluate(() => window.strata.benchCore());
  log(
    `core alone, whole study per model in one call (ms): ${bench.map((b) => `${b.model} ${Math.round(b.ms)}`).join(', ')}`,
  );
}

// 5. Parity -------------------------------------------------------------------------------------------------------
// The page opens on the paper's models (in_paper in the manifest); the others are added below.
function parityPaperModels(t) {
  const { manifest, native, results } = t;
  const paper = manifest.models.filter((m) => m.in_paper !== false).map((m) => m.name);
  t.firstNames = paper.length ? paper : manifest.models.map((m) => m.name);
  check(
    results.models.map((m) => m.name).join() === t.firstNames.join(),
    `the page studies the paper's models first (${results.models.map((m) => m.name).join(', ')})`,
  );
  const only = (names) => ({ ...native, models: native.models.filter((m) => names.includes(m.name)) });
  const diffs = compareStudies(results, only(t.firstNames));
  for (const d of diffs.slice(0, 15)) log(`  parity: ${d}`);
  check(
    diffs.length === 0,
    `parity with strata characterize (${t.firstNames.length} models x ${native.settings.sigmas.length} sets, N = ${n})`,
  );
}

// The other bundled models, added one by one with their buttons: each joins the study (the models
// already studied are reused: no inference for them), and the URL lists the models.
async function addOtherModels(t) {
  const { page, native } = t;
  for (const name of t.manifest.models.map((m) => m.name).filter((x) => !t.firstNames.includes(x))) {
    const g = await page.evaluate(() => window.strata.generation);
    const button = await rect(page, `add_${name}`);
    check(button?.w > 0, `an "add" button for ${name}`);
    if (!button) continue;
    await click(page, ...center(button));
    await page.waitForFunction((gen) => window.strata.generation > gen && !window.strata.busy, g, { timeout: 60000 });
    const run = await page.evaluate(() => window.strata.lastRun);
    log(`${name} added in ${Math.round(run.ms)} ms (inference ${Math.round(run.inference)} ms)`);
  }
  t.all = await page.evaluate(() => window.strata.results);
  const diffsAll = compareStudies(t.all, native);
  for (const d of diffsAll.slice(0, 15)) log(`  parity (all models): ${d}`);
  check(
    diffsAll.length === 0,
    `parity with strata characterize after adding the others (${native.models.length} models)`,
  );
  check(
    new URL(page.url()).searchParams.get('models') === native.models.map((m) => m.name).join(','),
    `the URL lists the studied models (${new URL(page.url()).searchParams.get('models')})`,
  );
}

// 6. The noise slider, dragged through the canvas with the mouse ------------------------------------------------
async function dragSlider(t) {
  const { page } = t;
  const before = await page.evaluate(() => window.strata.view());
  const r = before.rects.sigma_slider;
  check(
    r.w > 0,
    `the noise slider is drawn (at ${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.w)}x${Math.round(r.h)})`,
  );
  const y = r.y + r.h / 2;
  // The pixels too (frames are presented only when their picture changes): the slider's region
  // of a screenshot before and after the drag.
  const sliderClip = { x: r.x, y: r.y, width: r.w, height: r.h };
  const pixelsBefore = await page.screenshot({ clip: sliderClip });
  await page.mouse.move(r.x + r.w * 0.4, y);
  await sleep(150);
  await page.mouse.down();
  await sleep(150); // hold at least a frame so ImGui sees the press
  await page.mouse.move(r.x + r.w - 2, y, { steps: 5 });
  await sleep(200);
  await page.mouse.up();
  await sleep(200);
  const after = await page.evaluate(() => window.strata.view());
  check(!(await page.screenshot({ clip: sliderClip })).equals(pixelsBefore), 'the slider is drawn anew on the canvas');
  check(
    after.sigma !== before.sigma && after.sigma === t.native.settings.sigmas.at(-1),
    `dragging the slider changes the selected sigma (${before.sigma} -> ${after.sigma})`,
  );
  await page
    .waitForFunction((s) => new URL(location.href).searchParams.get('sigma') === String(s), after.sigma, {
      timeout: 5000,
    })
    .then(
      () => check(true, 'the URL follows the selected sigma'),
      () => check(false, 'the URL follows the selected sigma'),
    );
}

// 7. Hover and click a point of the kernel-PCA view: the clean point of the first model that lies
// farthest from every other point drawn (the clean set and the selected sigma's), so that the
// sample the page reports hovered and then selected must be the one aimed at.
async function hoverAndClick(t) {
  const { page } = t;
  const target = await rect(page, 'kpca_plot');
  check(target && target.w > 0, 'the kernel-PCA view is drawn');
  if (!(target && target.w > 0)) return;
  const { sigmaIndex } = await page.evaluate(() => window.strata.view());
  const sets = t.all.models[0].sets;
  const aim = isolatedPoint(target, sets[0].embedding_2d, sigmaIndex > 0 ? sets[sigmaIndex].embedding_2d : []);
  check(
    aim.index >= 0 && aim.gap >= 4,
    `a clean point stands apart to aim at (sample ${aim.index}, ${aim.gap.toFixed(1)} px from the nearest other point)`,
  );
  await page.mouse.move(aim.x, aim.y);
  await sleep(300);
  const hovered = await page.evaluate(() => window.strata.view().hoveredSample);
  check(
    hovered === aim.index,
    `hovering a point shows the sample aimed at (hovered ${hovered}, aimed at ${aim.index})`,
  );
  await click(page, aim.x, aim.y);
  const sel = await page.evaluate(() => window.strata.view().selectedSample);
  check(
    sel === aim.index,
    `clicking a point in the kernel-PCA view selects the sample aimed at (selected ${sel}, aimed at ${aim.index})`,
  );
  const want = `${t.all.models[0].name}/${sigmaIndex}/${sel}`;
  const strip = await page
    .waitForFunction((k) => window.strata.view().stripKey === k, want, { timeout: 20000 })
    .then(
      () => true,
      () => false,
    );
  check(strip, `the sample strip shows sample ${sel}'s clean, noisy and reconstructed images (${want})`);
}

// A row of the strata table: its members are highlighted (the first model's clean, top stratum).
async function strataRow(t) {
  const { page } = t;
  const m0 = t.results.models[0];
  const row = await rect(page, `strata_row_${m0.name}_0_0`);
  if (row) await click(page, row.x + 20, row.y + row.h / 2);
  const hl = await page.evaluate(() => window.strata.view().highlight);
  check(
    hl.active &&
      hl.model === 0 &&
      hl.k === 0 &&
      JSON.stringify(hl.ranks) === JSON.stringify(m0.sets[0].strata[0].ranks),
    `clicking a strata-table row highlights stratum ${JSON.stringify(m0.sets[0].strata[0].ranks)} of ${m0.name} clean`,
  );
}

// A model toggle: the last model's checkbox.
async function toggleModel(t) {
  const { page } = t;
  const lastName = t.all.models.at(-1).name;
  await click(page, ...center(await rect(page, `model_${lastName}`)));
  const enabled = await page.evaluate(() => window.strata.view().modelsEnabled);
  check(enabled.at(-1) === false && enabled.slice(0, -1).every(Boolean), `clicking ${lastName}'s checkbox hides it`);
}

// 8. A settings change through the canvas: untick `centered`, press Apply. Only the geometry is
// recomputed (latents are reused); the result must equal characterize --centered false.
async function settingsChange(t) {
  const { page } = t;
  await click(page, ...center(await rect(page, 'settings_centered')));
  const gApply = await page.evaluate(() => window.strata.generation);
  await click(page, ...center(await rect(page, 'settings_apply')));
  await page.waitForFunction((gen) => window.strata.generation > gen, gApply, { timeout: 60000 });
  t.recomputed = await page.evaluate(() => ({ results: window.strata.results, run: window.strata.lastRun }));
  const { results, run } = t.recomputed;
  fs.writeFileSync(path.join(out, 'page-uncentered.json'), JSON.stringify(results, null, 1));
  log(
    `settings change recomputed in ${Math.round(run.ms)} ms (inference ${Math.round(run.inference)} ms, analysis ${Math.round(run.analysis)} ms)`,
  );
  check(results.settings.geometry.centered === false, 'Apply recomputes with centered = false');
  const diffs = compareStudies(results, t.nativeUncentered);
  for (const d of diffs.slice(0, 10)) log(`  parity (centered false): ${d}`);
  check(diffs.length === 0, 'parity with strata characterize --centered false after the change');
  check(run.inference === 0, 'a geometry setting reuses the latents (no inference)');
}

// 9. URL round trip: the URL now holds the view state; a new page opened on it restores it.
async function urlRoundTrip(t) {
  const { page } = t;
  const shared = page.url();
  log(`view URL: ${shared.slice(t.server.url.length - 1)}`);
  const state = await page.evaluate(() => window.strata.view());
  const page2 = await t.browser.context.newPage();
  page2.on('console', (m) => {
    if (m.type() === 'error') t.consoleErrors.push(`page 2: ${m.text()}`);
  });
  await page2.goto(shared);
  await page2.waitForFunction(() => window.strata?.view()?.modelsEnabled?.length > 0, null, { timeout: 60000 });
  const state2 = await page2.evaluate(() => ({ view: window.strata.view(), params: window.strata.params }));
  const same =
    ['sigma', 'selectedSample', 'kpcaModel'].every((k) => state2.view[k] === state[k]) &&
    JSON.stringify(state2.view.modelsEnabled) === JSON.stringify(state.modelsEnabled) &&
    state2.params.geometry.centered === false &&
    state2.params.n === n;
  check(
    same,
    `the URL restores the view (sigma ${state2.view.sigma}, sample ${state2.view.selectedSample}, ` +
      `models ${JSON.stringify(state2.view.modelsEnabled)}, centered ${state2.params.geometry.centered})`,
  );
  await page2.close();
}

// 10. Exports through the canvas buttons: JSON equal to window.strata.results; the CSV tables equal
// to characterize --csv's in the same settings, value by value (parity.mjs, compareCsv); the canvas
// as a PNG file.
async function saveDownload(page, name, count = 1) {
  const files = [];
  const got = new Promise((resolve) => {
    page.on('download', async function onDl(d) {
      const file = path.join(out, `export-${d.suggestedFilename()}`);
      await d.saveAs(file);
      files.push(file);
      if (files.length === count) {
        page.off('download', onDl);
        resolve();
      }
    });
  });
  await click(page, ...center(await rect(page, name)));
  await Promise.race([got, sleep(15000)]);
  return files;
}

async function exports(t) {
  const { page } = t;
  const [jsonFile] = await saveDownload(page, 'export_json');
  check(
    jsonFile && JSON.stringify(JSON.parse(fs.readFileSync(jsonFile, 'utf8'))) === JSON.stringify(t.recomputed.results),
    'Export JSON downloads the results',
  );
  const csvFiles = await saveDownload(page, 'export_csv', 2);
  for (const f of ['summary.csv', 'samples.csv']) {
    const mine = csvFiles.find((p) => p.endsWith(f));
    const nativeText = fs.readFileSync(path.join(out, 'characterize-csv', f), 'utf8');
    const diffs = mine ? compareCsv(f, fs.readFileSync(mine, 'utf8'), nativeText) : ['not downloaded'];
    for (const d of diffs.slice(0, 10)) log(`  csv: ${d}`);
    const rows = nativeText.split('\n').length - 2;
    check(
      diffs.length === 0,
      `Export CSV's ${f} equals characterize --csv's (centered false), ${rows} rows value by value`,
    );
  }
  csvComparisonCanFail();
  const [pngFile] = await saveDownload(page, 'export_png');
  check(
    pngFile && fs.readFileSync(pngFile).subarray(1, 4).toString() === 'PNG' && fs.statSync(pngFile).size > 10000,
    'Save PNG downloads the canvas',
  );
}

// The CSV comparison itself, on characterize's own tables with one field changed at a time: a
// rank, an effective rank beyond the tolerance, a label, a PSNR, a coordinate made NaN. Each must be
// reported.
function csvComparisonCanFail() {
  const text = fs.readFileSync(path.join(out, 'characterize-csv', 'samples.csv'), 'utf8');
  const lines = text.split('\n');
  const change = (column, value) => {
    const header = lines[0].split(','),
      row = lines[1].split(',');
    row[header.indexOf(column)] = value(row[header.indexOf(column)]);
    return [lines[0], row.join(','), ...lines.slice(2)].join('\n');
  };
  const cases = {
    r1: (v) => String(Number(v) + 1),
    erank1: (v) => String(Number(v) * 1.01 + 0.01),
    x: () => 'nan',
    label: (v) => String((Number(v) + 1) % 10),
    psnr: (v) => String(Number(v) + 0.01),
  };
  const caught = Object.entries(cases).filter(
    ([column, value]) => compareCsv('samples.csv', change(column, value), text).length > 0,
  );
  check(
    caught.length === 5,
    `the CSV comparison reports a changed rank, effective rank, label and PSNR, and a NaN (${caught.map(([c]) => c).join(', ')})`,
  );
}

// The angle spectrum tab, kept as a second screenshot artifact.
async function angleTab(t) {
  const { page } = t;
  await click(page, ...center(await rect(page, 'tab_angles')));
  await sleep(300);
  await page.screenshot({ path: path.join(out, 'explorer-angles.png') });
  await click(page, ...center(await rect(page, 'tab_curves')));
}

// 11. Frames ---------------------------------------------------------------------------------------------------------
// The slider back to its left end: the strip's images (noisy, reconstructed) change under the same
// quads (new texture pixels; their labels change too), before the full-redraw comparison below.
async function stripAtNewSigma(t) {
  const { page } = t;
  const stripBefore = await page.evaluate(() => window.strata.view().stripKey);
  const slider = await rect(page, 'sigma_slider');
  await click(page, slider.x + 2, slider.y + slider.h / 2);
  const stripChanged = await page
    .waitForFunction((k) => window.strata.view().stripKey && window.strata.view().stripKey !== k, stripBefore, {
      timeout: 20000,
    })
    .then(
      () => true,
      () => false,
    );
  check(
    stripChanged,
    `a new sigma shows the selected sample's strip anew (${stripBefore} -> ${await page.evaluate(() => window.strata.view().stripKey)})`,
  );
}

// Frames on demand: moving the mouse draws frame after frame; left alone, nothing is built and
// nothing presented (the frame counters and the presented frames' times over a stretch of rest).
async function framesOnDemand(t) {
  const { page } = t;
  const drawn0 = await page.evaluate(() => window.strata.framesDrawn);
  let leastRedrawn = 1; // the smallest part of the canvas a presented frame drew again
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
  check(
    presented > 0 && presented <= drawn1,
    `frames presented only when the picture changed (${presented} of ${drawn1} built)`,
  );
  // Frames redraw only the rectangles whose picture changed (wasm/app/app_present.cpp).
  check(
    leastRedrawn < 0.5,
    `a frame with the mouse moving redraws part of the canvas (least: ${(100 * leastRedrawn).toFixed(1)}%)`,
  );
  await page.mouse.move(5, 795);
  await sleep(1000);
  const counters = () =>
    page.evaluate(() => ({
      drawn: window.strata.framesDrawn,
      presented: window.strata.framesPresented,
      now: performance.now(),
    }));
  const rest0 = await counters();
  await sleep(2000);
  const rest1 = await counters();
  const times = await page.evaluate((since) => {
    const f = window.strata.frameTimes(since);
    return { built: f.built.length, presented: f.presented.length };
  }, rest0.now);
  check(rest1.drawn === rest0.drawn, `left alone, the interface builds no frame (${rest1.drawn - rest0.drawn} in 2 s)`);
  check(
    rest1.presented === rest0.presented && times.presented === 0 && times.built === 0,
    `left alone, no frame is presented (${rest1.presented - rest0.presented} counted, ${times.presented} stamped in 2 s)`,
  );
}

// After all the partial redraws of this test, the canvas must hold what a full redraw draws.
async function fullRedraw(t) {
  const redraw = await t.page.evaluate(async () => {
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
  check(
    redraw.redrawn === 1 && redraw.differ === 0,
    `the partly redrawn canvas equals a full redraw pixel for pixel (${redraw.differ} of ${redraw.pixels} differ)`,
  );
}

runTest('explorer.test.mjs', main, 'all browser checks passed');
