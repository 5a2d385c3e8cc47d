// bench.mjs: the explorer's performance figures in headless Chromium (prints them; not a test).
//
//   node tests/browser/bench.mjs [--site build/wasm/site] [--n 300] [--runs 1]
//
// Index: 1. arguments  2. one run: load the page, sample the frame rate while it computes, read
//        window.strata.timings, time the core alone, ORT Web's GFLOP/s (bench/model_flops.py)  3. runs
//
// What the figures mean: docs/explorer.md ("Figures"). The machine's other load matters on 2
// cores: the load average is printed with each run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium, repo, startServer, stopAll } from './harness.mjs';

// 1. Arguments ---------------------------------------------------------------------------------------------
const arg = (name, d) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : d; };
const site = path.resolve(arg('site', path.join(repo, 'build/wasm/site')));
const n = Number(arg('n', 300));
const runs = Number(arg('runs', 1));
// FLOPs per image (encoder + decoder) of each model, counted from its ONNX graphs by
// bench/model_flops.py (python3-onnx); null when that cannot run (then no GFLOP/s is printed).
const flopsPerImage = (() => {
  const r = spawnSync('/usr/bin/python3', [path.join(repo, 'bench', 'model_flops.py'), path.join(site, 'models', 'manifest.json'), '--json'],
                      { encoding: 'utf8' });
  try { return r.status === 0 ? JSON.parse(r.stdout) : null; } catch { return null; }
})();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ms = (x) => `${(x / 1000).toFixed(2)} s`;

// 2. One run -------------------------------------------------------------------------------------------------
async function once(url) {
  const browser = await launchChromium(arg('chromium', '/usr/bin/chromium'));
  try {
    const page = browser.context.pages()[0] ?? await browser.context.newPage();
    await page.goto(`${url}?n=${n}`);
    await page.waitForFunction(() => window.strata !== undefined);
    const fps = [];
    const sampler = setInterval(() => page.evaluate(() => (window.strata?.busy ? window.strata.fps : null))
      .then((f) => { if (f) fps.push(f); }, () => {}), 1000);
    const results = await page.evaluate(() => window.strata.ready.then(() => window.strata.results));
    clearInterval(sampler);
    const t = await page.evaluate(() => window.strata.timings);
    const core = await page.evaluate(() => window.strata.benchCore());
    await sleep(2000);
    const idle = await page.evaluate(() => window.strata.fps);
    const sets = results.settings.sigmas.length;
    const flops = flopsPerImage && results.models.reduce((a, m) => a + (flopsPerImage[m.name] ?? NaN), 0) * sets * n;
    const rate = flops ? `${(flops / 1e9).toFixed(0)} GFLOP, ${(flops / 1e9 / (t.inference / 1000)).toFixed(1)} GFLOP/s` : 'GFLOP/s unknown';
    console.log(`load ${ms(t.load)} | first panel ${ms(t.firstPanel)} | total ${ms(t.total)} | ` +
                `inference ${ms(t.inference)} (${rate}, ORT threads ${results.settings.runner.match(/(\d+) thread/)?.[1]}) | analysis ${ms(t.analysis)} | ` +
                `fps while computing mean ${(fps.reduce((a, b) => a + b, 0) / Math.max(1, fps.length)).toFixed(1)} ` +
                `min ${Math.min(...fps).toFixed(1)} | fps idle ${idle.toFixed(1)} | core alone per model ` +
                `${core.map((c) => `${c.model} ${Math.round(c.ms)} ms`).join(', ')} | load average ${os.loadavg()[0].toFixed(2)}`);
  } finally {
    await stopAll(null, browser);
  }
}

// 3. Runs ---------------------------------------------------------------------------------------------------------
if (!fs.existsSync(path.join(site, 'index.html'))) {
  console.error(`bench.mjs: ${site} has no index.html (build the wasm preset first)`);
  process.exit(1);
}
const server = await startServer(site);
try {
  console.log(`Strata explorer benchmark: N = ${n}, ${runs} run(s), ${os.cpus().length} CPUs, Chromium headless (SwiftShader)`);
  for (let r = 0; r < runs; r++) await once(server.url);
} finally {
  await stopAll(server, null);
}
