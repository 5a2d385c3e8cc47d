// explorer.test.mjs: the browser explorer (issue 4) in a real headless Chromium, end to end.
//
//   node tests/browser/explorer.test.mjs --site build/wasm/site --strata STRATA --out DIR [--n 300]
//
// Index: 1. arguments and helpers  2. the reference: `strata characterize` on the site's models
//        3. the server (started and stopped by PID)  4. Chromium (Playwright, fresh profile)
//        5. load: no console error, window.strata.ready  6. parity  7. the noise slider through
//        the canvas  8. hover and click in the kernel-PCA view  9. screenshot, figures, clean-up
//
// N: the default study (N = 300, every model of the manifest, 7 noise levels) takes about 35 s in
// the page on 2 busy cores (4 models), so the test runs it as is. If more models make it too slow,
// `--n 60` passes `?n=60` to the page and `--n 60` to the reference run: parity is then checked on
// a smaller but identical input. The run writes DIR/characterize.json, DIR/page.json and
// DIR/explorer.png (the screenshot artifact).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareStudies } from './parity.mjs';

// 1. Arguments and helpers ---------------------------------------------------------------------------
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, d) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : d; };
const site = path.resolve(arg('site', path.join(repo, 'build/wasm/site')));
const out = path.resolve(arg('out', path.join(repo, 'build/wasm/browser-test')));
const n = Number(arg('n', 300));
const chromiumPath = arg('chromium', '/usr/bin/chromium');
const FLAGS = ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-default-apps', '--disable-dev-shm-usage',
  '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];
const { chromium } = createRequire(path.join(repo, 'web', 'package.json'))('playwright-core');
fs.mkdirSync(out, { recursive: true });

let failures = 0;
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
function check(ok, what) {
  log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// 2. The reference ------------------------------------------------------------------------------------------
// The strata program given, or, when it was built without the trainer commands, the first other
// build of it that has `characterize` (named in the output).
function findStrata() {
  const candidates = [arg('strata'), 'build/native/native_trainer/strata', 'build/trainer/native_trainer/strata']
    .filter(Boolean).map((p) => path.resolve(repo, p));
  for (const c of candidates) {
    if (!fs.existsSync(c)) continue;
    const r = spawnSync(c, ['characterize', '--help'], { encoding: 'utf8' });
    if (!/unknown command/.test(r.stdout + r.stderr)) return c;
    log(`note: ${c} has no 'characterize' (built without the trainer?)`);
  }
  return null;
}

function reference() {
  const strata = findStrata();
  if (!strata) throw new Error('no strata program with the characterize command (build the native preset)');
  const file = path.join(out, 'characterize.json');
  log(`reference: ${path.relative(repo, strata)} characterize --n ${n}`);
  const r = spawnSync('nice', ['-n', '5', strata, 'characterize', '--models', path.join(site, 'models'),
    '--data', path.join(site, 'models', 'sample'), '--n', String(n), '--out', file, '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`strata characterize failed (${r.status}): ${r.stderr}`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// 3. The server ---------------------------------------------------------------------------------------------------
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'web', 'serve.mjs'), '0', site], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      const m = text.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) resolve({ pid: child.pid, url: m[0] });
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before printing its URL`)));
  });
}

// Exit status 77 (ctest: skipped) when the site's manifest lists no models yet: there is nothing
// to compare, and that is a state of models/, not a failure of the page.
const SKIP = 77;

async function main() {
  const manifest = JSON.parse(fs.readFileSync(path.join(site, 'models', 'manifest.json'), 'utf8'));
  if (!manifest.models?.length) {
    log('SKIPPED: models/manifest.json lists no models (train, export, then run models/make_manifest.py)');
    process.exit(SKIP);
  }
  const native = reference();
  const server = await startServer();
  log(`server pid ${server.pid} at ${server.url}`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-chromium-'));
  let context;
  try {
    // 4. Chromium ------------------------------------------------------------------------------------------------
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath, args: FLAGS, headless: true, viewport: { width: 1280, height: 800 } });
    const page = context.pages()[0] ?? await context.newPage();
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => consoleErrors.push(`request failed: ${r.url()}`));
    page.on('request', (r) => { if (!r.url().startsWith(server.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
      consoleErrors.push(`request outside the origin: ${r.url()}`); });

    // 5. Load ---------------------------------------------------------------------------------------------------
    await page.goto(`${server.url}?n=${n}`);
    await page.waitForFunction(() => window.strata !== undefined, null, { timeout: 30000 });
    const results = await page.evaluate(() => window.strata.ready.then(() => window.strata.results), null);
    fs.writeFileSync(path.join(out, 'page.json'), JSON.stringify(results, null, 1));
    const timings = await page.evaluate(() => window.strata.timings);
    log(`timings (ms since navigation / summed): ${JSON.stringify(timings, (k, v) => (typeof v === 'number' ? Math.round(v) : v))}`);
    check(consoleErrors.length === 0, `page loads and completes the study with no console error ${consoleErrors.slice(0, 3).join(' | ')}`);

    // 6. Parity ---------------------------------------------------------------------------------------------------
    const diffs = compareStudies(results, native);
    for (const d of diffs.slice(0, 15)) log(`  parity: ${d}`);
    check(diffs.length === 0, `parity with strata characterize (${native.models.length} models x ${native.settings.sigmas.length} sets, N = ${n})`);

    // 7. The noise slider, dragged through the canvas with the mouse ------------------------------------------
    const before = await page.evaluate(() => window.strata.view());
    const r = before.sigmaSlider;
    check(r.w > 0, `the noise slider is drawn (at ${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.w)}x${Math.round(r.h)})`);
    const y = r.y + r.h / 2;
    await page.mouse.move(r.x + r.w * 0.4, y);
    await sleep(150);
    await page.mouse.down();
    await sleep(150);   // hold at least a frame so ImGui sees the press
    await page.mouse.move(r.x + r.w - 2, y, { steps: 5 });
    await sleep(200);
    await page.mouse.up();
    await sleep(200);
    const after = await page.evaluate(() => window.strata.view());
    check(after.sigma !== before.sigma && after.sigma === native.settings.sigmas.at(-1),
          `dragging the slider changes the selected sigma (${before.sigma} -> ${after.sigma})`);
    await page.waitForFunction((s) => new URL(location.href).searchParams.get('sigma') === String(s), after.sigma, { timeout: 5000 })
      .then(() => check(true, 'the URL follows the selected sigma'), () => check(false, 'the URL follows the selected sigma'));

    // 8. Hover and click a point of the kernel-PCA view: the clean point of sample 0.
    const emb = results.models[0].sets[0].embedding_2d;
    const target = await page.evaluate(() => window.strata.view().kpcaPlot);
    if (target.w > 0) {
      // The plot's data range is the points' range padded by 5 % (app_panels.cpp, kpca_view).
      const all = [...emb, ...results.models[0].sets.at(-1).embedding_2d];
      const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      const px = (x1 - x0) * 0.05 + 1e-12, py = (y1 - y0) * 0.05 + 1e-12;
      const sx = target.x + ((emb[0][0] - x0 + px) / (x1 - x0 + 2 * px)) * target.w;
      const sy = target.y + target.h - ((emb[0][1] - y0 + py) / (y1 - y0 + 2 * py)) * target.h;
      await page.mouse.move(sx, sy);
      await sleep(200);
      await page.mouse.down();
      await sleep(150);
      await page.mouse.up();
      await sleep(200);
      const sel = await page.evaluate(() => window.strata.view().selectedSample);
      // Another sample can lie within a pixel of sample 0; any selection proves the click path, sample 0 is expected.
      check(sel >= 0, `clicking a point in the kernel-PCA view selects it (selected ${sel}, aimed at 0)`);
    }

    // 9. Screenshot and figures -------------------------------------------------------------------------------------
    await page.mouse.move(5, 795);
    await sleep(1500);
    const fps = await page.evaluate(() => window.strata.fps);
    log(`interface frame rate: ${fps.toFixed(1)} frames/s`);
    check(fps > 1, 'the interface keeps drawing');
    await page.screenshot({ path: path.join(out, 'explorer.png') });
    log(`screenshot: ${path.join(out, 'explorer.png')}`);
    check(consoleErrors.length === 0, `no console error during the interaction ${consoleErrors.slice(0, 3).join(' | ')}`);
  } finally {
    if (context) await context.close();
    try { process.kill(server.pid, 'SIGTERM'); } catch { /* already gone */ }
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().then(() => {
  log(failures ? `${failures} check(s) failed` : 'all browser checks passed');
  process.exit(failures ? 1 : 0);
}, (e) => {
  console.error(`explorer.test.mjs: ${e.stack ?? e}`);
  process.exit(1);
});
