// bench.mjs: the explorer's performance figures in headless Chromium (prints them; not a test).
//
//   node tests/browser/bench.mjs [--site build/wasm/site] [--n 300] [--runs 1] [--models a,b,..]
//                               [--passes untouched,running,repeat,in-use,dragging]
//
// Index: 1. arguments  2. one run: load the page (untouched, with the mouse moving all along, or
//        with a panel dragged on every frame), sample the frame rate while it computes, read
//        window.strata.timings, time the core alone, ORT Web's GFLOP/s (bench/model_flops.py)
//        3. runs (each: the passes in order)
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
const models = arg('models', null);
const passes = arg('passes', 'untouched,running,repeat,in-use,dragging').split(',');   // any of these, comma-separated
// --models: e.g. cae,dae,vae,beta-vae,sparse (default: the page's)
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
// The passes: `untouched`: nobody touches the page; the interface draws only when data arrives
// (wasm/app/app_main.cpp), which leaves the cores to the study: the timings of this pass are the
// study's own. Chromium is launched for the run and navigates at once, so the first figures also
// pay for the browser's own start (its GPU process, the first renderer). `running`: the same, in a
// browser that has been running for 3 s (a user opening the link: nothing of the page cached).
// `repeat`: the page opened a second time in the same profile (HTTP cache and V8's code cache
// warm: a returning user). `in-use`: from the first frame to the end of the study a user keeps moving the
// mouse over the kernel-PCA view (a move every 10 ms: hover highlights and tooltips change), so
// the interface builds frame after frame; fps is the frame rate such a user sees while the study
// computes. `dragging`: the hardest case: the kernel-diagnostics panel is held by its title bar
// and moved on every animation frame (synthetic pointer events from the page, as Playwright's
// own arrive slower than frames), so every frame has a new picture to present.
async function once(url, pass) {
  const pageUrl = `${url}?n=${n}${models ? `&models=${models}` : ''}`;
  const untouched = !['in-use', 'dragging'].includes(pass);   // nobody moves the mouse
  const browser = await launchChromium(arg('chromium', '/usr/bin/chromium'));
  try {
    const page = browser.context.pages()[0] ?? await browser.context.newPage();
    if (pass === 'running') {
      await page.goto('about:blank');
      await sleep(3000);
    } else if (pass === 'repeat') {
      await page.goto(pageUrl);
      await page.waitForFunction(() => window.strata?.timings?.total > 0, null, { timeout: 120000 });
      await sleep(1000);   // V8 writes its code cache after the first visit
    }
    await page.goto(pageUrl);
    await page.waitForFunction(() => window.strata !== undefined);
    let moving = pass === 'in-use';
    const user = (async () => {
      for (let i = 0; moving; i++) {
        const r = await page.evaluate(() => window.strata.view()?.rects?.kpca_plot ?? { x: 900, y: 200, w: 300, h: 200 });
        const a = i / 15;
        await page.mouse.move(r.x + r.w * (0.5 + 0.35 * Math.cos(a)), r.y + r.h * (0.5 + 0.35 * Math.sin(a)));
        await sleep(10);
      }
    })();
    if (pass === 'dragging') {
      await page.waitForFunction(() => window.strata.panels().length === 7);
      const d = (await page.evaluate(() => window.strata.panels())).find((q) => q.title === 'Kernel diagnostics');
      await page.mouse.move(d.x + 60, d.y + 8);
      await sleep(100);
      await page.mouse.down();
      await page.evaluate((p) => {
        const canvas = document.getElementById('canvas');
        let i = 0;
        const step = () => {
          const a = i++ / 7, x = p.x + 60 - 100 + 100 * Math.cos(a), y = p.y + 8 - 100 + 100 * Math.sin(a);
          canvas.dispatchEvent(new PointerEvent('pointermove', { clientX: x, clientY: y, bubbles: true }));
          canvas.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }));
          if (!window.strata.stopDragging) requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      }, d);
    }
    const fps = [];
    const [drawn0, shown0] = await page.evaluate(() => [window.strata.framesDrawn, window.strata.framesPresented]);
    const sampler = setInterval(() => page.evaluate(() => (window.strata?.busy ? window.strata.fps : null))
      .then((f) => { if (f) fps.push(f); }, () => {}), 1000);
    const results = await page.evaluate(() => window.strata.ready.then(() => window.strata.results));
    clearInterval(sampler);
    moving = false;
    await user;
    if (pass === 'dragging') {
      await page.evaluate(() => { window.strata.stopDragging = true; });
      await page.mouse.up();
    }
    const t = await page.evaluate(() => window.strata.timings);
    const [drawn, shown] = (await page.evaluate(() => [window.strata.framesDrawn, window.strata.framesPresented])).map((v, i) => v - [drawn0, shown0][i]);
    const core = await page.evaluate(() => window.strata.benchCore());
    const sets = results.settings.sigmas.length;
    const flops = flopsPerImage && results.models.reduce((a, m) => a + (flopsPerImage[m.name] ?? NaN), 0) * sets * n;
    const rate = flops ? `${(flops / 1e9).toFixed(0)} GFLOP, ${(flops / 1e9 / (t.inference / 1000)).toFixed(1)} GFLOP/s` : 'GFLOP/s unknown';
    const frames = untouched ? 'untouched'
      : `fps while computing: mean ${(fps.reduce((a, b) => a + b, 0) / Math.max(1, fps.length)).toFixed(1)} min ${Math.min(...fps).toFixed(1)}`;
    console.log(`${pass.padEnd(9)} | models ${results.models.length} | load ${ms(t.load)} | first panel ${ms(t.firstPanel)} | total ${ms(t.total)} | ` +
                `inference ${ms(t.inference)} (${rate}, ORT threads ${results.settings.runner.match(/(\d+) thread/)?.[1]}) | analysis ${ms(t.analysis)} | ` +
                `${frames} | frames built ${drawn} (${(drawn / (t.total / 1000)).toFixed(1)}/s of the study), presented ${shown} (${(shown / (t.total / 1000)).toFixed(1)}/s) | core alone per model ` +
                `${core.map((c) => `${c.model} ${Math.round(c.ms)} ms`).join(', ')} | load average ${os.loadavg()[0].toFixed(2)}`);
    if (untouched) console.log(`          | loading steps (ms after navigation): ${Object.entries(t.loadSteps ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}`);
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
  for (let r = 0; r < runs; r++) {
    for (const pass of passes) await once(server.url, pass);
  }
} finally {
  await stopAll(server, null);
}
