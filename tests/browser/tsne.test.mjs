// tsne.test.mjs: the t-SNE view and per-plot PNG export in a real headless Chromium, driven through
// the canvas with the mouse.
//
//   node tests/browser/tsne.test.mjs --site build/wasm/site --out DIR [--n 60]
//
// Index: 1. arguments  2. load the page  3. t-SNE requested with the view switch: progress,
//        length, finite, spread  4. hover and click a t-SNE point (the aimed sample)  5. recompute:
//        the same picture (reproducible)  6. one plot saved as PNG from its right-click menu: a PNG
//        of the plot's size  7. clean-up
//
// Why only simple checks on the picture: t-SNE's layout has no reference to compare with; what
// must hold is that it is computed from this data (lengths), is a real picture (finite, spread)
// and is reproducible (same seed, same coordinates).
import fs from 'node:fs';
import path from 'node:path';
import {
  center,
  check,
  click,
  isolatedPoint,
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

// 1. Arguments ---------------------------------------------------------------------------------------
const { site, out, n, chromiumPath } = testArgs('browser-tsne-test', 60);

const spread = (pts, d) => Math.max(...pts.map((p) => p[d])) - Math.min(...pts.map((p) => p[d]));

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const server = await startServer(site);
  log(`server pid ${server.pid} at ${server.url}`);
  let browser, page;
  try {
    // 2. Load ----------------------------------------------------------------------------------------------------
    browser = await launchChromium(chromiumPath);
    let consoleErrors;
    ({ page, consoleErrors } = await openExplorer(browser, `${server.url}?n=${n}`));
    await page.evaluate(() => window.strata.ready);
    const sigmaIndex = await page.evaluate(() => window.strata.view().sigmaIndex);
    log(`default study done (N = ${n}, selected grid index ${sigmaIndex})`);

    // 3. The view switch asks for a t-SNE of the shown model at the selected sigma --------------------------------
    await click(page, ...center(await rect(page, 'view_tsne')));
    await page.waitForFunction(() => window.strata.tsneCount >= 1, null, { timeout: 120000 });
    const first = await page.evaluate(() => window.strata.tsne);
    const progress = await page.evaluate(() => window.strata.tsneProgress);
    log(
      `t-SNE of ${first.model} at sigma ${first.sigma}: ${first.iterations} iterations, KL ${first.kl}, ${first.ms.toFixed(0)} ms`,
    );
    check(
      progress && progress.iteration === progress.total && progress.total === first.iterations,
      `progress reported up to the last iteration (${JSON.stringify(progress)})`,
    );
    check(
      first.k === sigmaIndex && first.clean.length === n && first.noisy.length === (sigmaIndex > 0 ? n : 0),
      `the embedding has the clean set and the selected sigma's set (${first.clean.length} + ${first.noisy.length})`,
    );
    const all = [...first.clean, ...first.noisy];
    check(
      all.every((p) => Number.isFinite(p[0]) && Number.isFinite(p[1])),
      'all coordinates are finite',
    );
    check(
      all.some((p) => p[0] !== all[0][0] || p[1] !== all[0][1]),
      'the points are not all equal',
    );
    check(
      spread(first.clean, 0) > 0 && spread(first.clean, 1) > 0,
      'the clean points have non-zero spread on both axes',
    );
    await page.screenshot({ path: path.join(out, 'tsne-view.png') });

    // 4. Hover and click a t-SNE point: the clean point farthest from every other point drawn, so
    // that the sample hovered and then selected must be the one aimed at ------------------------------
    const aim = isolatedPoint(await rect(page, 'kpca_plot'), first.clean, first.noisy);
    check(
      aim.index >= 0 && aim.gap >= 4,
      `a t-SNE point stands apart to aim at (sample ${aim.index}, ${aim.gap.toFixed(1)} px from the nearest other point)`,
    );
    await page.mouse.move(aim.x, aim.y);
    await sleep(300);
    const hovered = await page.evaluate(() => window.strata.view().hoveredSample);
    check(
      hovered === aim.index,
      `hovering a t-SNE point shows the sample aimed at (hovered ${hovered}, aimed at ${aim.index})`,
    );
    await click(page, aim.x, aim.y);
    const selected = await page.evaluate(() => window.strata.view().selectedSample);
    check(selected === aim.index, `clicking it selects that sample (selected ${selected}, aimed at ${aim.index})`);

    // 5. Recompute: the same inputs and seed give the same picture ----------------------------------------------
    await click(page, ...center(await rect(page, 'tsne_recompute')));
    await page.waitForFunction(() => window.strata.tsneCount >= 2, null, { timeout: 120000 });
    const second = await page.evaluate(() => window.strata.tsne);
    check(
      JSON.stringify(second.clean) === JSON.stringify(first.clean) &&
        JSON.stringify(second.noisy) === JSON.stringify(first.noisy),
      'a second request gives identical coordinates',
    );

    // 6. One plot as PNG, from its right-click menu ---------------------------------------------------------------
    const plot = await rect(page, 'plot##tsne');
    await page.mouse.move(5, 795); // away from the points: no tooltip over the plot
    await click(page, plot.x + plot.w - 12, plot.y + 6, 'right');
    await page.waitForFunction(() => window.strata.view().rects.plot_png_menu !== undefined, null, { timeout: 10000 });
    const download = page.waitForEvent('download', { timeout: 20000 });
    await click(page, ...center(await rect(page, 'plot_png_menu')));
    const dl = await download;
    const file = path.join(out, dl.suggestedFilename());
    await dl.saveAs(file);
    const png = fs.readFileSync(file);
    const isPng = png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const [w, h] = isPng ? [png.readUInt32BE(16), png.readUInt32BE(20)] : [0, 0];
    log(`${dl.suggestedFilename()}: ${w} x ${h}; plot rectangle ${plot.w} x ${plot.h}`);
    check(
      isPng && dl.suggestedFilename() === 'strata-tsne.png',
      "the plot's menu downloads a PNG named after the plot",
    );
    check(Math.abs(w - plot.w) <= 1 && Math.abs(h - plot.h) <= 1, "the PNG has the size of the plot's rectangle");
    check(consoleErrors.length === 0, `no console error ${consoleErrors.slice(0, 3).join(' | ')}`);
  } catch (e) {
    await screenshotOnFailure(page, path.join(out, 'tsne-failure.png'));
    throw e;
  } finally {
    // 7. Clean-up (server by PID, Chromium, its profile) ----------------------------------------------------------
    await stopAll(server, browser);
  }
}

runTest('tsne.test.mjs', main, 'all t-SNE and plot PNG checks passed');
