// harness.mjs: what the browser tests and the benchmark share: the site server and Chromium, and
// for the tests their log, their checks and how they end.
//
// Index: 1. Chromium flags (RECIPES.md)  2. the server (web/serve.mjs on a free port, by PID)
//        3. Chromium with a fresh profile, the explorer's page in it  4. stopping both
//        5. log, check, runTest
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// 1. Headless Chromium with WebGL2 on SwiftShader, nothing that talks to the network by itself.
export const FLAGS = ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-default-apps', '--disable-dev-shm-usage',
  '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];

// 2. The server: resolves {pid, url} once it printed its URL.
// `extra`: more arguments for serve.mjs (e.g. ['--plain']: no isolation headers).
export function startServer(site, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'web', 'serve.mjs'), '0', site, ...extra],
                        { stdio: ['ignore', 'pipe', 'pipe'] });
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
    executablePath, args: FLAGS, headless: true, viewport: { width: 1280, height: 800 } });
  return { context, profile };
}

// The explorer at `url` in the browser's first tab: console errors and uncaught exceptions are
// collected in consoleErrors; `beforeLoad(page, consoleErrors)` may add listeners before the page
// loads. Resolves {page, consoleErrors} once window.strata exists.
export async function openExplorer(browser, url, beforeLoad = () => {}) {
  const page = browser.context.pages()[0] ?? await browser.context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  beforeLoad(page, consoleErrors);
  await page.goto(url);
  await page.waitForFunction(() => window.strata !== undefined, null, { timeout: 30000 });
  return { page, consoleErrors };
}

// 4. Stops what 2 and 3 started (either may be missing).
export async function stopAll(server, browser) {
  if (browser?.context) await browser.context.close().catch(() => {});
  if (server) try { process.kill(server.pid, 'SIGTERM'); } catch { /* already gone */ }
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
  main().then(() => {
    log(failures ? `${failures} check(s) failed` : allPassed);
    process.exit(failures ? 1 : 0);
  }, (e) => {
    console.error(`${name}: ${e.stack ?? e}`);
    process.exit(1);
  });
}

// What the page showed when a step threw is the first thing to look at.
export async function screenshotOnFailure(page, file) {
  if (page) await page.screenshot({ path: file }).catch(() => {});
}
