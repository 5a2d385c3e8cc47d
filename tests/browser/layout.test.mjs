// layout.test.mjs: the explorer at the sizes people use, and what a first look needs from it, in a
// real headless Chromium.
//
//   node tests/browser/layout.test.mjs --site build/wasm/site --out DIR [--n 300]
//
// Index: 1. arguments and helpers (the layout audit's checks)
//        2. 1024 x 700 from the start: no label, tick or text cut (ImGui's own item rectangles,
//           wasm/app/app_audit.cpp), every panel inside the canvas, the histograms' legend above them
//        3. the canvas resized to 1400 x 900 and 2560 x 1440: the panels follow, larger type when
//           large, still nothing cut; a panel the user moved stays, "reset layout" brings it back
//        4. help on hover for every setting, the verdicts, curves and histograms
//        5. the drop zone while files are dragged over the page; the open buttons
//        6. one plot saved as PNG equals the plot on screen (no menu, no tooltip in it)
//        7. a slow settings change: its estimate, the confirmation, the cancel button (the study
//           stops within 1 s) and the last complete study back, unchanged
//
// The page runs the default study (the paper's models, 7 noise levels) at N = --n (300: the
// slow metric must take long enough to be estimated and cancelled).
import fs from 'node:fs';
import path from 'node:path';
import {
  center,
  check,
  click,
  launchChromium,
  log,
  openExplorer,
  rect,
  runTest,
  screenshotOnFailure,
  sleep,
  startServer,
  stopAll,
  testArgs,
} from './harness.mjs';

// 1. Arguments and helpers ------------------------------------------------------------------------------------
const { site, out, n, chromiumPath } = testArgs('browser-layout-test', 300);
const view = (page) => page.evaluate(() => ({ texts: {}, helps: {}, rects: {}, ...window.strata.view() }));

// What the audit says is cut at this size: an item whose visible label is wider than the item, an
// item or tick label reaching outside (left or right) the rectangle it is clipped to, x tick labels
// of one plot that overlap. Each entry names the window and the label.
function cutItems(items) {
  const bad = [];
  const tol = 1;
  for (const it of items) {
    const where = `${it.window}: '${it.label}'`;
    if (it.kind === 'item' && it.labelW > it.w + tol) bad.push(`${where} label ${it.labelW} > item ${it.w}`);
    if (it.x < it.clip.x - tol || it.x + it.w > it.clip.x + it.clip.w + tol)
      bad.push(`${where} [${it.x}, ${it.x + it.w}] outside [${it.clip.x}, ${it.clip.x + it.clip.w}]`);
  }
  // Tick labels of one plot on one row (the x axis) must stand apart.
  const rows = new Map();
  for (const it of items.filter((i) => i.kind === 'tick')) {
    const key = `${it.window}|${it.label.split(':')[0]}|${Math.round(it.y)}`;
    if (!rows.has(key)) rows.set(key, []);
    rows.get(key).push(it);
  }
  for (const [key, ticks] of rows) {
    ticks.sort((a, b) => a.x - b.x);
    for (let i = 1; i < ticks.length; i++)
      if (ticks[i].x < ticks[i - 1].x + ticks[i - 1].w)
        bad.push(`${key}: '${ticks[i - 1].label}' overlaps '${ticks[i].label}'`);
  }
  return bad;
}

async function auditStep(page, size) {
  const items = await page.evaluate(() => window.strata.audit());
  const bad = cutItems(items);
  const labelled = items.filter((i) => i.kind === 'item').length;
  const ticks = items.filter((i) => i.kind === 'tick').length;
  log(`${size}: ${labelled} labelled items, ${ticks} tick and axis labels audited`);
  check(labelled >= 20 && ticks >= 40, `${size}: the audit saw the interface (${labelled} items, ${ticks} ticks)`);
  check(!bad.length, `${size}: no label, tick or axis text cut (${bad.slice(0, 6).join(' | ')})`);
  // The find, neighbours and walk panel shows one tab at a time: each is audited.
  for (const tab of ['neighbours', 'walk', 'find']) {
    await page.evaluate((t) => window.strata.showTab(t), tab);
    await sleep(300);
    const tabItems = await page.evaluate(() => window.strata.audit());
    const inPanel = tabItems.filter((i) => i.window.startsWith('Find, neighbours, walk')).length;
    const tabBad = cutItems(tabItems);
    check(
      inPanel >= 3 && !tabBad.length,
      `${size}: the ${tab} tab (${inPanel} items) cuts nothing (${tabBad.slice(0, 6).join(' | ')})`,
    );
  }
  // Every text drawn by text_fit shows whole, or cut with "..." (its tooltip has the rest).
  const v = await view(page);
  const panels = await page.evaluate(() => window.strata.panels());
  const [w, h] = size.split('x').map(Number);
  const outside = panels.filter((p) => p.x < -1 || p.y < -1 || p.x + p.w > w + 1 || p.y + p.h > h + 1);
  check(
    panels.length === 9 && !outside.length,
    `${size}: every panel inside the canvas (${outside.map((p) => p.title)})`,
  );
  return v;
}

// Scrolls the panel `title` (the wheel over it) until its widget `name` is inside it.
async function reveal(page, name, title = 'Strata') {
  for (let i = 0; i < 20; i++) {
    const r = await rect(page, name);
    const panel = (await page.evaluate(() => window.strata.panels())).find((p) => p.title === title);
    if (!r || !panel) return r;
    if (r.y >= panel.y + 20 && r.y + r.h <= panel.y + panel.h - 4) return r;
    await page.mouse.move(panel.x + panel.w / 2, panel.y + panel.h / 2);
    await page.mouse.wheel(0, r.y > panel.y ? 100 : -100);
    await sleep(200);
  }
  return rect(page, name);
}

// The histograms' legend is a line above the plots, over none of their bars.
function legendStep(v) {
  const leg = v.rects.hist_legend;
  const plots = Object.entries(v.rects).filter(([k]) => k.startsWith('plot##hist'));
  check(
    leg && plots.length >= 9 && plots.every(([, r]) => leg.y + leg.h <= r.y + 1),
    `the rank histograms' legend is above all ${plots.length} histograms`,
  );
}

// 3. Resizing: the panels follow the canvas until the user moves one.
async function resizeStep(page, size) {
  const [w, h] = size.split('x').map(Number);
  await page.setViewportSize({ width: w, height: h });
  await sleep(1500);
  const v = await auditStep(page, size);
  const panels = await page.evaluate(() => window.strata.panels());
  const right = Math.max(...panels.map((p) => p.x + p.w));
  const bottom = Math.max(...panels.map((p) => p.y + p.h));
  check(
    right > w - 40 && bottom > h - 40,
    `${size}: the panels fill the canvas (right edge ${right.toFixed(0)}, bottom ${bottom.toFixed(0)})`,
  );
  return v;
}

async function userPlacedStep(page) {
  const before = (await page.evaluate(() => window.strata.panels())).find((p) => p.title === 'Kernel diagnostics');
  // Drag the panel by its title bar 60 pixels left and up.
  await page.mouse.move(before.x + 60, before.y + 8);
  await sleep(150);
  await page.mouse.down();
  for (let i = 1; i <= 6; i++) {
    await page.mouse.move(before.x + 60 - 10 * i, before.y + 8 - 10 * i);
    await sleep(60);
  }
  await page.mouse.up();
  await sleep(300);
  await page.setViewportSize({ width: 1500, height: 950 });
  await sleep(1200);
  const moved = (await page.evaluate(() => window.strata.panels())).find((p) => p.title === 'Kernel diagnostics');
  check(
    Math.abs(moved.x - (before.x - 60)) <= 3 && Math.abs(moved.y - (before.y - 60)) <= 3,
    `a panel the user moved stays where it was put after a resize (${before.x},${before.y} -> ${moved.x},${moved.y})`,
  );
  const layout = await page.evaluate(() => new URL(location.href).searchParams.get('layout'));
  check(!!layout, `the moved panel is in the URL's layout (${layout})`);
  await click(page, ...center(await reveal(page, 'reset_layout')));
  await sleep(500);
  const back = (await page.evaluate(() => window.strata.panels())).find((p) => p.title === 'Kernel diagnostics');
  const others = (await page.evaluate(() => window.strata.panels())).find((p) => p.title === 'Kernel-PCA view');
  check(
    Math.abs(back.x - others.x) <= 1,
    `"reset layout" puts it back in its column (x ${back.x} beside the kernel-PCA view's ${others.x})`,
  );
}

// 4. Help on hover: every setting names its docs/method.md term; hovering shows it.
async function helpStep(page) {
  const v = await view(page);
  const want = {
    settings_metric: 'metric',
    settings_energy: 'energy',
    settings_rank_rtol: 'rank_rtol',
    settings_rank_default: 'rank_rtol',
    settings_bandwidth: 'bandwidth h',
    settings_bandwidth_median: 'median',
    settings_centered: 'centered',
    settings_vae_latent: 'vae_latent',
    settings_n: 'N',
    settings_apply: 'Recomputes',
    sigma_slider: 'sigma',
    curve0: 'dim_eta',
    curve1: 'PSNR',
    curve2: 'Mean principal angle',
    curve3: 'Largest principal angle',
    hist0_0: 'Rank histogram',
    kpca_view: 'Kernel-PCA view',
    spectrum: 'dim_eta',
    header_strata_verdict: "'smooth'",
    'header_strata_(r1,r2,r3)': 'Rank triple',
    header_kdiag_h: 'median',
    'header_kdiag_min eig K clean': 'positive definite',
    open_files: 'drop ONNX encoders',
    find_sample: 'selected sample',
    find_rule: 'stratum',
    find_isolate: 'fade',
    walk_a: 'endpoints',
    walk_steps: 'K',
    walk_go: 'mu',
    walk_pick: 'pick in view',
    walk_distance: 'Distance to data',
    neighbours_title: 'Neighbours',
  };
  const missing = Object.entries(want).filter(([k, w]) => !(v.helps[k] ?? '').includes(w));
  check(!missing.length, `help texts for ${Object.keys(want).length} widgets (missing: ${missing.map(([k]) => k)})`);
  const verdicts = Object.keys(v.helps).filter((k) => k.startsWith('verdict_'));
  check(verdicts.length >= 3, `every verdict has help (${verdicts.length})`);
  // Hovering shows them.
  for (const [name, word] of [
    ['settings_metric', 'log-euclidean'],
    ['settings_energy', 'dim_eta'],
    [verdicts[0], 'stratified'],
  ]) {
    const r = await rect(page, name);
    await page.mouse.move(r.x + Math.min(8, r.w / 2), r.y + r.h / 2);
    await sleep(400);
    const shown = await page.evaluate(() => window.strata.view().helpShown);
    check(shown.includes(word), `hovering ${name} shows its help (${shown.slice(0, 60)}...)`);
  }
  const curve = await rect(page, 'plot##curve0');
  await page.mouse.move(curve.x + curve.w / 2, curve.y + curve.h / 2);
  await sleep(400);
  const shown = await page.evaluate(() => window.strata.view().helpShown);
  check(
    /dim_eta/.test(shown) && /sigma = /.test(shown),
    `hovering the Hilbert-dimension curve explains it (${shown.slice(0, 50)}...)`,
  );
  await page.mouse.move(2, 2);
}

// 5. The drop zone shows while files are dragged over the page, and goes when they leave.
async function dropZoneStep(page) {
  const shown = () => page.evaluate(() => getComputedStyle(document.getElementById('drop-zone')).display !== 'none');
  check(!(await shown()), 'no drop zone at rest');
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['x'], 'encoder.onnx'));
    document.getElementById('canvas').dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
  });
  check(await shown(), 'dragging files over the page shows the drop zone');
  const words = await page.evaluate(() => document.getElementById('drop-zone').textContent);
  check(
    /ONNX encoders/.test(words) && /PNG or JPEG/.test(words),
    `it says what can be dropped (${words.trim().slice(0, 60)}...)`,
  );
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['x'], 'encoder.onnx'));
    document.getElementById('canvas').dispatchEvent(new DragEvent('dragleave', { dataTransfer: dt, bubbles: true }));
  });
  check(!(await shown()), 'the drop zone goes when the files leave');
  const chooser = page.waitForEvent('filechooser', { timeout: 5000 }).catch(() => null);
  await click(page, ...center(await reveal(page, 'open_files')));
  const fc = await chooser;
  check(fc && fc.isMultiple(), '"open files..." opens the file chooser');
}

// 6. One plot as PNG equals the same region of the screen, the mouse away (no menu, no tooltip).
async function plotPngStep(page) {
  const plot = await rect(page, 'plot##curve0');
  await click(page, plot.x + plot.w / 2, plot.y + plot.h / 2, 'right');
  await page.waitForFunction(() => window.strata.view().rects.plot_png_menu !== undefined, null, { timeout: 10000 });
  const menu = await rect(page, 'plot_png_menu');
  const download = page.waitForEvent('download', { timeout: 20000 });
  await click(page, ...center(menu));
  const dl = await download;
  const file = path.join(out, 'plot.png');
  await dl.saveAs(file);
  await page.mouse.move(2, 2);
  await sleep(800);
  const saved = await page.evaluate(() => window.strata.lastPlotPng);
  const shot = await page.screenshot({ clip: { x: saved.x, y: saved.y, width: saved.w, height: saved.h } });
  const diff = await page.evaluate(
    async ([a, b]) => {
      const pixels = async (b64) => {
        const img = new Image(); // the page's policy allows data: images, not fetching them
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const bmp = await createImageBitmap(img);
        const c = new OffscreenCanvas(bmp.width, bmp.height);
        const g = c.getContext('2d');
        g.drawImage(bmp, 0, 0);
        return { w: bmp.width, h: bmp.height, d: g.getImageData(0, 0, bmp.width, bmp.height).data };
      };
      const [p, q] = [await pixels(a), await pixels(b)];
      if (p.w !== q.w || p.h !== q.h) return { size: `${p.w}x${p.h} vs ${q.w}x${q.h}` };
      let differ = 0;
      for (let i = 0; i < p.d.length; i += 4)
        if (Math.abs(p.d[i] - q.d[i]) + Math.abs(p.d[i + 1] - q.d[i + 1]) + Math.abs(p.d[i + 2] - q.d[i + 2]) > 24)
          differ++;
      return { differ, total: p.d.length / 4 };
    },
    [fs.readFileSync(file).toString('base64'), shot.toString('base64')],
  );
  log(`plot PNG against the screen: ${JSON.stringify(diff)}; the menu was at ${JSON.stringify(menu)}`);
  check(
    diff.total > 0 && diff.differ <= diff.total * 0.002,
    `the saved plot equals the plot on screen: no menu or tooltip in it (${diff.differ ?? diff.size} pixels differ)`,
  );
}

// 7. A slow settings change: estimated, confirmed, cancelled within 1 s, the last study back.
async function cancelStep(page) {
  const before = await page.evaluate(() => window.strata.results);
  const gen = await page.evaluate(() => window.strata.generation);
  // The metric combo: open it, pick affine-invariant.
  await click(page, ...center(await rect(page, 'settings_metric')));
  await sleep(300);
  const item = await page.evaluate(() => {
    const r = window.strata.view().rects.settings_metric;
    return { x: r.x + 20, y: r.y + r.h * 3.5 }; // the third entry of the list under the combo
  });
  await click(page, item.x, item.y);
  await click(page, ...center(await rect(page, 'settings_apply')));
  await page.waitForFunction(() => window.strata.view().rects.confirm_run !== undefined, null, { timeout: 60000 });
  const estimate = await page.evaluate(() => window.strata.lastEstimate);
  log(`estimate of the affine-invariant study: ${(estimate / 1000).toFixed(1)} s`);
  check(estimate > 30000, `a run estimated over 30 s asks first (${(estimate / 1000).toFixed(1)} s)`);
  check(
    (await page.evaluate(() => window.strata.params.geometry.metric)) === 'log-euclidean',
    'nothing runs before the answer',
  );
  await click(page, ...center(await rect(page, 'confirm_run')));
  await page.waitForFunction(() => window.strata.busy && window.strata.params.geometry.metric === 'affine-invariant');
  await sleep(3000); // into the clean set's distances
  // From the press (the button's release) to the study stopped: the page's clock on both ends.
  const r = await rect(page, 'cancel');
  await page.mouse.move(...center(r));
  await sleep(150);
  await page.mouse.down();
  await sleep(150);
  const pressed = await page.evaluate(() => performance.now());
  await page.mouse.up();
  await page.waitForFunction(() => window.strata.cancelled > 0, null, { timeout: 30000 });
  const c = await page.evaluate(() => window.strata.lastCancel);
  const stopped = c.stopped - pressed;
  log(
    `cancel taken ${(c.asked - pressed).toFixed(0)} ms after the press, study stopped after ${stopped.toFixed(0)} ms`,
  );
  check(stopped <= 1000, `the cancel button stops the analysis within 1 s (${stopped.toFixed(0)} ms)`);
  await page.waitForFunction((g) => window.strata.generation > g && !window.strata.busy, gen, { timeout: 120000 });
  const after = await page.evaluate(() => window.strata.results);
  const key = (r) =>
    JSON.stringify(r.models.map((m) => m.sets.map((s) => [s.sigma, s.ranks, s.hilbert_dim, s.principal_angles_deg])));
  check(
    after.settings.geometry.metric === 'log-euclidean' && key(after) === key(before),
    'the last complete study (log-euclidean) is back, its results unchanged',
  );
}

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const server = await startServer(site);
  let browser, page;
  try {
    browser = await launchChromium(chromiumPath);
    let consoleErrors;
    ({ page, consoleErrors } = await openExplorer(browser, `${server.url}?n=${n}`, (p) =>
      p.setViewportSize({ width: 1024, height: 700 }),
    ));
    await page.evaluate(() => window.strata.ready.then(() => true));
    // A selected sample and a walk, so the neighbours and walk tabs have their content.
    await page.evaluate(() => {
      window.strata.select(5);
      return window.strata.walk(5, 40, 9).then(() => true);
    });
    await sleep(500);
    // 2. 1024 x 700
    const v = await auditStep(page, '1024x700');
    legendStep(v);
    check(v.uiScale === 1, `scale 1 at 1024 x 700 (${v.uiScale})`);
    await page.screenshot({ path: path.join(out, 'layout-1024x700.png') });
    await helpStep(page);
    await dropZoneStep(page);
    await plotPngStep(page);
    // 3. Larger canvases
    await resizeStep(page, '1400x900');
    await page.screenshot({ path: path.join(out, 'layout-1400x900.png') });
    await userPlacedStep(page);
    const big = await resizeStep(page, '2560x1440');
    check(big.uiScale > 1, `larger type on a 2560 x 1440 canvas (scale ${big.uiScale})`);
    await page.setViewportSize({ width: 1280, height: 800 });
    await sleep(1000);
    await cancelStep(page);
    check(consoleErrors.length === 0, `no console error ${consoleErrors.slice(0, 3).join(' | ')}`);
  } catch (e) {
    await screenshotOnFailure(page, path.join(out, 'layout-failure.png'));
    throw e;
  } finally {
    await stopAll(server, browser);
  }
}

runTest('layout.test.mjs', main, 'layout and first-look checks passed');
