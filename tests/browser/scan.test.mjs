// scan.test.mjs: the bandwidth scan and the models' architecture in a real headless Chromium, against
// the native program.
//
//   node tests/browser/scan.test.mjs --site build/wasm/site --out DIR --strata build/native/native_trainer/strata [--n 60]
//
// Index: 1. arguments  2. the native reference: `strata characterize --bandwidth-scan`  3. the page: the
//        default study has no scan; the curves panel's "bandwidth scan" tab asks for it; the rerun's
//        results against the native ones (parity.mjs, the scan included); the tab's two plots and their
//        help  4. the models panel's architecture line  5. clean-up
//
// The parity rule (parity.mjs): integers (the scan's Hilbert dimensions too) exactly, other numbers
// within REL of the array's scale.
import fs from 'node:fs';
import path from 'node:path';
import {
  arg,
  center,
  characterizeSite,
  check,
  click,
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
import { compareStudies } from './parity.mjs';

// 1. Arguments ---------------------------------------------------------------------------------------
const { site, out, n, chromiumPath } = testArgs('browser-scan-test', 60);
const strata = arg('strata', path.join(repo, 'build/native/native_trainer/strata'));
const FACTORS = [0.25, 0.5, 1, 2, 4];

async function main() {
  fs.mkdirSync(out, { recursive: true });
  if (!fs.existsSync(strata)) throw new Error(`${strata}: the native program is missing (build the native preset)`);

  // 2. The native reference -------------------------------------------------------------------------------------
  const native = characterizeSite(strata, site, n, path.join(out, 'native.json'), ['--bandwidth-scan']);
  const manifest = JSON.parse(fs.readFileSync(path.join(site, 'models', 'manifest.json'), 'utf8'));
  check(
    JSON.stringify(native.models[0].bandwidth_scan?.factors) === JSON.stringify(FACTORS),
    `strata characterize --bandwidth-scan reports the factors ${FACTORS.join(', ')}`,
  );
  // The scan is not flat on these models: the dimension at f = 1/4 is above the one at f = 4.
  const dims = native.models[0].sets[0].bandwidth_scan?.hilbert_dim ?? [];
  check(dims.length === 5 && dims[0] > dims[4], `${native.models[0].name}: dim_eta falls with f (${dims.join(' ')})`);

  // 3. The page -----------------------------------------------------------------------------------------------------
  const server = await startServer(site);
  log(`server pid ${server.pid} at ${server.url}`);
  let browser, page;
  try {
    browser = await launchChromium(chromiumPath);
    let consoleErrors;
    ({ page, consoleErrors } = await openExplorer(browser, `${server.url}?n=${n}`));
    const first = await page.evaluate(() => window.strata.ready.then(() => window.strata.results));
    check(
      first.models.every((m) => !m.bandwidth_scan && m.sets.every((s) => !s.bandwidth_scan)),
      'the default study computes no scan (it is off by default)',
    );
    const tab = await rect(page, 'tab_scan');
    check(tab?.w > 0, 'the curves panel has a "bandwidth scan" tab');
    await click(page, ...center(tab));
    await sleep(300);
    const button = await rect(page, 'scan_compute');
    check(button?.w > 0, 'the tab offers to compute the scan');
    const help = await page.evaluate(() => window.strata.view().helps?.scan_compute ?? '');
    check(/h' = f h/.test(help), `the button's help says what the scan is (${help.slice(0, 60)}...)`);
    const g = await page.evaluate(() => window.strata.generation);
    await click(page, ...center(button));
    await page.waitForFunction((gen) => window.strata.generation > gen && !window.strata.busy, g, {
      timeout: 120000,
    });
    const results = await page.evaluate(() => window.strata.results);
    check(
      JSON.stringify(results.settings.geometry.bandwidth_scan) === JSON.stringify(FACTORS),
      'the rerun names the scan in its settings',
    );
    // The page studies the paper's models by default: the native results of those, the scan included.
    const studied = results.models.map((m) => m.name);
    const nativeStudied = { ...native, models: native.models.filter((m) => studied.includes(m.name)) };
    const diffs = compareStudies(results, nativeStudied);
    for (const d of diffs.slice(0, 15)) log(`  parity: ${d}`);
    check(diffs.length === 0, `parity with strata characterize --bandwidth-scan (${studied.join(', ')}, N = ${n})`);
    check(
      results.models.every((m) => m.sets.every((s) => s.bandwidth_scan?.hilbert_dim?.length === FACTORS.length)),
      'every set of every model carries the scan',
    );
    // f = 1 is the study's own bandwidth: the scan's entry equals the set's hilbert_dim.
    check(
      results.models.every((m) => m.sets.every((s) => s.bandwidth_scan.hilbert_dim[2] === s.hilbert_dim)),
      "the f = 1 entry equals each set's Hilbert dimension",
    );
    await sleep(500);
    const plots = await page.evaluate(() => [
      window.strata.view().rects.scan_dim_plot,
      window.strata.view().rects.scan_angle_plot,
    ]);
    check(
      plots.every((r) => r?.w > 50 && r?.h > 50),
      'the tab draws the dimension and the angle plot',
    );
    await page.mouse.move(...center(plots[0]));
    await sleep(400);
    const hover = await page.evaluate(() => window.strata.view().helps?.scan_dim ?? '');
    check(
      /log2 f/.test(hover) && studied.some((name) => hover.includes(`${name}:`)),
      "hovering the plot names f and each model's value",
    );
    await page.screenshot({ path: path.join(out, 'scan.png') });

    // 4. The architecture in the models panel --------------------------------------------------------------------------
    const texts = await page.evaluate(() => window.strata.view().texts);
    for (const name of studied) {
      const a = manifest.models.find((m) => m.name === name)?.architecture;
      const want = a
        ? Object.entries(a)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')
        : '';
      check(
        a && texts[`model_architecture_${name}`] === want,
        `${name}: the models panel's tooltip names its architecture (${texts[`model_architecture_${name}`]})`,
      );
      const pm = results.models.find((m) => m.name === name);
      const nm = native.models.find((m) => m.name === name);
      const sorted = (a) => (a ? JSON.stringify(Object.entries(a).sort()) : null);
      check(
        sorted(pm.architecture) === sorted(nm.architecture) && nm.architecture !== null,
        `${name}: the page's results carry the architecture characterize reports`,
      );
    }
    check(consoleErrors.length === 0, `no console errors (${consoleErrors.slice(0, 3).join(' | ')})`);
  } catch (e) {
    await screenshotOnFailure(page, path.join(out, 'failure.png'));
    throw e;
  } finally {
    // 5. Clean-up ------------------------------------------------------------------------------------------------------
    await stopAll(server, browser);
  }
}

runTest('browser-scan-test', main, 'browser scan test passed');
