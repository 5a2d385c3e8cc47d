// harness.mjs: what the browser tests and the benchmark share: the command line, the site server
// and Chromium, the mouse on the canvas, and for the tests their log, their checks and how they end.
//
// Index: 1. Chromium flags (RECIPES.md)  2. the server (web/serve.mjs on a free port, by PID)
//        3. Chromium with a fresh profile, the explorer's page in it  4. stopping both
//        5. log, check, runTest  6. the command line and pauses  7. the mouse on the canvas
//        8. aiming at one point of a scatter plot  9. .npy and PNG files to drop  10. strata, the native
//        reference, plan_models.py
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// 1. Headless Chromium with WebGL2 on SwiftShader, nothing that talks to the network by itself.
export const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-default-apps',
  '--disable-dev-shm-usage',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
];

// 2. The server: resolves {pid, url} once it printed its URL.
// `extra`: more arguments for serve.mjs (e.g. ['--plain']: no isolation headers).
export function startServer(site, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'web', 'serve.mjs'), '0', site, ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

// 3. Chromium through playwright-core (web/'s locked dependency), a fresh temporary profile.
export async function launchChromium(executablePath = '/usr/bin/chromium') {
  const { chromium } = createRequire(path.join(repo, 'web', 'package.json'))('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    args: FLAGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
  });
  return { context, profile };
}

// The explorer at `url` in the browser's first tab: console errors and uncaught exceptions are
// collected in consoleErrors; `beforeLoad(page, consoleErrors)` may add listeners before the page
// loads. Resolves {page, consoleErrors} once window.strata exists.
export async function openExplorer(browser, url, beforeLoad = () => {}) {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  beforeLoad(page, consoleErrors);
  await page.goto(url);
  await page.waitForFunction(() => window.strata !== undefined, null, { timeout: 30000 });
  return { page, consoleErrors };
}

// 4. Stops what 2 and 3 started (either may be missing).
export async function stopAll(server, browser) {
  if (browser?.context) await browser.context.close().catch(() => {});
  if (server)
    try {
      process.kill(server.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  if (browser?.profile) fs.rmSync(browser.profile, { recursive: true, force: true });
}

// 5. A test's log and checks, and its end ----------------------------------------------------------------
// log() prefixes the seconds since the test started; check() logs ok or FAIL and counts failures;
// runTest() runs the test's main and exits 0 only when it returned and every check passed.
const t0 = Date.now();
let failures = 0;
export const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

export function check(ok, what) {
  log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

export function runTest(name, main, allPassed) {
  main().then(
    () => {
      log(failures ? `${failures} check(s) failed` : allPassed);
      process.exit(failures ? 1 : 0);
    },
    (e) => {
      console.error(`${name}: ${e.stack ?? e}`);
      process.exit(1);
    },
  );
}

// What the page showed when a step threw is the first thing to look at.
export async function screenshotOnFailure(page, file) {
  if (page) await page.screenshot({ path: file }).catch(() => {});
}

// 6. The command line and pauses --------------------------------------------------------------------------
// `--name value` from the command line, else `fallback`.
export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

// What every browser test takes: --site (the built site folder), --out (its files), --n (images),
// --chromium (the browser); the defaults are the wasm preset's folders and Debian's Chromium.
export function testArgs(outName, n) {
  return {
    site: path.resolve(arg('site', path.join(repo, 'build/wasm/site'))),
    out: path.resolve(arg('out', path.join(repo, 'build/wasm', outName))),
    n: Number(arg('n', n)),
    chromiumPath: arg('chromium', '/usr/bin/chromium'),
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// 7. The mouse on the canvas --------------------------------------------------------------------------------
// The interface draws on demand, and ImGui sees a press only when the button is still down at a
// frame: the button is held 150 ms, longer than a frame at the slowest rate the interface keeps.
export async function click(page, x, y, button = 'left') {
  await page.mouse.move(x, y);
  await sleep(150);
  await page.mouse.down({ button });
  await sleep(150);
  await page.mouse.up({ button });
  await sleep(200);
}

export const center = (r) => [r.x + r.w / 2, r.y + r.h / 2];

// The canvas rectangle of a widget the interface names in view().rects (undefined if not drawn).
export const rect = (page, name) => page.evaluate((k) => window.strata.view().rects[k], name);

// 8. Aiming at one point ----------------------------------------------------------------------------------------
// The kernel-PCA and t-SNE views map the points' range, padded by 5 % (plus 1e-12) on each side,
// onto the plot area `area` (app_panels.cpp, kpca_view), and a hover picks the nearest point within
// 8 pixels. Of the clean points away from the plot's edges, this returns the one farthest from
// every other point drawn (the clean and the noisy set): {index, x, y, gap}, gap in pixels. Aimed
// at exactly, only that sample can be the one hovered.
export function isolatedPoint(area, clean, noisy = []) {
  const all = [...clean, ...noisy];
  const xs = all.map((p) => p[0]),
    ys = all.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const px = (x1 - x0) * 0.05 + 1e-12,
    py = (y1 - y0) * 0.05 + 1e-12;
  const screen = all.map(([x, y]) => [
    area.x + ((x - x0 + px) / (x1 - x0 + 2 * px)) * area.w,
    area.y + area.h - ((y - y0 + py) / (y1 - y0 + 2 * py)) * area.h,
  ]);
  const margin = 12;
  let best = { index: -1, x: NaN, y: NaN, gap: -1 };
  for (let i = 0; i < clean.length; i++) {
    const [sx, sy] = screen[i];
    if (sx < area.x + margin || sx > area.x + area.w - margin || sy < area.y + margin || sy > area.y + area.h - margin)
      continue;
    let gap = Infinity;
    for (let j = 0; j < screen.length; j++)
      if (j !== i) gap = Math.min(gap, Math.hypot(screen[j][0] - sx, screen[j][1] - sy));
    if (gap > best.gap) best = { index: i, x: sx, y: sy, gap };
  }
  return best;
}

// 9. Files to drop: .npy arrays and PNG images --------------------------------------------------------------------
// A float32 .npy (format 1.0, C order) of the given shape and values.
export function npy(shape, values) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header = header.padEnd(118 - 1, ' ') + '\n'; // 10-byte preamble + header = 128 bytes
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(Float32Array.from(values).buffer)]);
}

// The first `count` images of a site's sample as count x 1 x 28 x 28 floats, byte / 255 in float32
// as the page reads the IDX file.
export function sampleNpy(site, count) {
  const manifest = JSON.parse(fs.readFileSync(path.join(site, 'models', 'manifest.json'), 'utf8'));
  const idx = fs.readFileSync(path.join(site, 'models', manifest.sample.images.path));
  return npy(
    [count, 1, 28, 28],
    Array.from(idx.subarray(16, 16 + count * 784), (b) => b / 255),
  );
}

// An 8-bit PNG (gray: channels 1, RGB: 3) of height x width pixels, interleaved row-major bytes.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
export function png(width, height, channels, pixels) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const head = Buffer.alloc(4),
      tail = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    tail.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, tail]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, channels === 3 ? 2 : 0, 0, 0, 0], 8);
  const row = width * channels;
  const raw = Buffer.alloc(height * (row + 1)); // filter byte 0 (none) before each row
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// 10. The native reference and the programs the tests run -----------------------------------------------------------
// `strata ARGS` (niced), its output; throws with the program's stderr.
export function runStrata(strata, args) {
  log(`strata ${args.join(' ')}`);
  const r = spawnSync('nice', ['-n', '5', strata, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`strata ${args[0]} failed (${r.status}): ${r.stderr}`);
  return r;
}

// `strata characterize` on a site's models and its sample (run before Chromium starts), with
// `extra` flags (and `images`: other images flags); writes `file` and returns the parsed result.
export function characterizeSite(
  strata,
  site,
  n,
  file,
  extra = [],
  images = ['--data', path.join(site, 'models', 'sample')],
) {
  runStrata(strata, [
    'characterize',
    '--models',
    path.join(site, 'models'),
    ...images,
    '--n',
    String(n),
    ...extra,
    '--out',
    file,
    '--quiet',
  ]);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// The edited copies of the shipped models that tests/browser/plan_models.py makes in `dir` from
// `site`'s models; false when Python's onnx is missing (the caller reports SKIPPED).
export const PYTHON = '/usr/bin/python3';
export function planModelFiles(site, dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  if (spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status !== 0) return false;
  const r = spawnSync(PYTHON, [path.join(repo, 'tests/browser/plan_models.py'), path.join(site, 'models'), dir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`plan_models.py failed: ${r.stderr}`);
  return true;
}
