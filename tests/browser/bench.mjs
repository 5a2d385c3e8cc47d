// bench.mjs: the explorer's performance figures in headless Chromium. It prints them, and exits
// with status 1 when the interface falls below MIN_FPS in its worst second while the study computes.
//
//   node tests/browser/bench.mjs [--site build/wasm/site] [--n 300] [--runs 1] [--models a,b,..]
//                               [--passes untouched,running,repeat,in-use,dragging,walking]
//
// Index: 1. arguments  2. frame rates from the frames' times  3. one run: open the page as the
//        pass says, a user moving the mouse or dragging a panel, the study's figures (timings,
//        ORT Web's GFLOP/s from bench/model_flops.py, frames, the core alone), the frame-rate gate
//        3b. the walking pass: after the study, walks of 9 steps for every studied model decode while
//        the mouse moves over the kernel-PCA view (frames/s while decoding, first decoded step's latency)
//        4. runs (each: the passes in order)
//
// What the figures mean: docs/explorer.md ("Figures"). The machine's other load matters on 2
// cores: the load average is printed with each run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arg, launchChromium, repo, sleep, startServer, stopAll } from './harness.mjs';

// 1. Arguments ---------------------------------------------------------------------------------------------
const site = path.resolve(arg('site', path.join(repo, 'build/wasm/site')));
const n = Number(arg('n', 300));
const runs = Number(arg('runs', 1));
const models = arg('models', null); // e.g. cae,dae,vae,beta-vae,sparse (default: the page's)
const passes = arg('passes', 'untouched,running,repeat,in-use,dragging,walking').split(','); // any of these, comma-separated
// FLOPs per image (encoder + decoder) of each model, counted from its ONNX graphs by
// bench/model_flops.py (python3-onnx); null when that cannot run (then no GFLOP/s is printed).
const flopsPerImage = (() => {
  const r = spawnSync(
    '/usr/bin/python3',
    [path.join(repo, 'bench', 'model_flops.py'), path.join(site, 'models', 'manifest.json'), '--json'],
    { encoding: 'utf8' },
  );
  try {
    return r.status === 0 ? JSON.parse(r.stdout) : null;
  } catch {
    return null;
  }
})();
const ms = (x) => `${(x / 1000).toFixed(2)} s`;

// 2. Frame rates --------------------------------------------------------------------------------------------
// The interface's target while the study computes: at least this many frames in every second.
const MIN_FPS = 20;

// The frame rate of the frames at `times` (ms, ascending) within [from, to]: the mean, the worst
// one-second window (the fewest frames in any window of 1 s inside the span) and the 5th
// percentile of the per-frame rates (1000 / interval: the rate the slowest 5 % of the intervals
// between consecutive frames fall below). Null when the span is shorter than a second.
function frameRates(times, from, to) {
  const t = Array.from(times).filter((x) => x >= from && x <= to);
  if (to - from < 1000 || t.length < 2) return null;
  const upTo = (x) => {
    // how many frames at or before x
    let lo = 0,
      hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // The count in a window changes only when a frame enters or leaves it, so the fewest frames are
  // in the window that starts at `from` or in one that starts just after a frame.
  let worst = upTo(from + 1000);
  for (const s of t) if (s + 1000 <= to) worst = Math.min(worst, upTo(s + 1000) - upTo(s));
  const intervals = t
    .slice(1)
    .map((x, i) => x - t[i])
    .sort((a, b) => a - b);
  const p95 = intervals[Math.min(intervals.length - 1, Math.ceil(0.95 * intervals.length) - 1)];
  return { frames: t.length, mean: (t.length - 1) / ((t.at(-1) - t[0]) / 1000), worst, low5: 1000 / p95 };
}

const rateText = (r) =>
  r ? `mean ${r.mean.toFixed(1)}, worst 1 s ${r.worst}, 5th pct ${r.low5.toFixed(1)}` : 'under 1 s';

// 3. One run --------------------------------------------------------------------------------------------------
// The passes: `untouched`: nobody touches the page; the interface draws only when data arrives
// (wasm/app/app_main.cpp), which leaves the cores to the study: the timings of this pass are the
// study's own. Chromium is launched for the run and navigates at once, so the first figures also
// pay for the browser's own start (its GPU process, the first renderer). `running`: the same, in a
// browser that has been running for 3 s (a user opening the link: nothing of the page cached).
// `repeat`: the page opened a second time in the same profile (HTTP cache and V8's code cache
// warm: a returning user). `in-use`: from the first frame to the end of the study a user keeps
// moving the mouse over the kernel-PCA view (a move every 10 ms: hover highlights and tooltips
// change), so the interface builds frame after frame. `dragging`: the hardest case: the
// kernel-diagnostics panel is held by its title bar and moved on every animation frame (synthetic
// pointer events from the page, as Playwright's own arrive slower than frames), so every frame
// has a new picture to present.
const touched = (pass) => ['in-use', 'dragging'].includes(pass);

// Opens the page as `pass` says; resolves the page once window.strata exists.
async function openPage(browser, pageUrl, pass) {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  if (pass === 'running') {
    await page.goto('about:blank');
    await sleep(3000);
  } else if (pass === 'repeat') {
    await page.goto(pageUrl);
    await page.waitForFunction(() => window.strata?.timings?.total > 0, null, { timeout: 120000 });
    await sleep(1000); // V8 writes its code cache after the first visit
  }
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.strata !== undefined);
  return page;
}

// The user of the `in-use` pass: moves the mouse over the kernel-PCA view until stop() is called.
function moveMouseAlong(page) {
  let moving = true;
  const done = (async () => {
    for (let i = 0; moving; i++) {
      const r = await page.evaluate(() => window.strata.view()?.rects?.kpca_plot ?? { x: 900, y: 200, w: 300, h: 200 });
      const a = i / 15;
      await page.mouse.move(r.x + r.w * (0.5 + 0.35 * Math.cos(a)), r.y + r.h * (0.5 + 0.35 * Math.sin(a)));
      await sleep(10);
    }
  })();
  return async () => {
    moving = false;
    await done;
  };
}

// The user of the `dragging` pass: holds the kernel-diagnostics panel by its title bar and moves
// it on every animation frame until stop() is called.
async function dragPanel(page) {
  await page.waitForFunction(() => window.strata.panels().some((q) => q.title === 'Kernel diagnostics'));
  const d = (await page.evaluate(() => window.strata.panels())).find((q) => q.title === 'Kernel diagnostics');
  await page.mouse.move(d.x + 60, d.y + 8);
  await sleep(100);
  await page.mouse.down();
  await page.evaluate((p) => {
    const canvas = document.getElementById('canvas');
    let i = 0;
    const step = () => {
      const a = i++ / 7,
        x = p.x + 60 - 100 + 100 * Math.cos(a),
        y = p.y + 8 - 100 + 100 * Math.sin(a);
      canvas.dispatchEvent(new PointerEvent('pointermove', { clientX: x, clientY: y, bubbles: true }));
      canvas.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }));
      if (!window.strata.stopDragging) requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }, d);
  return async () => {
    await page.evaluate(() => {
      window.strata.stopDragging = true;
    });
    await page.mouse.up();
  };
}

// One pass; returns the names of the frame-rate checks that failed.
async function once(url, pass) {
  const pageUrl = `${url}?n=${n}${models ? `&models=${models}` : ''}`;
  const browser = await launchChromium(arg('chromium', '/usr/bin/chromium'));
  try {
    const page = await openPage(browser, pageUrl, pass);
    const stop = pass === 'in-use' ? moveMouseAlong(page) : pass === 'dragging' ? await dragPanel(page) : null;
    const userFrom = await page.evaluate(() => performance.now()); // ms since navigation, the frames' clock
    const [drawn0, shown0] = await page.evaluate(() => [window.strata.framesDrawn, window.strata.framesPresented]);
    const results = await page.evaluate(() => window.strata.ready.then(() => window.strata.results));
    if (stop) await stop();
    const t = await page.evaluate(() => window.strata.timings);
    const frames = await page.evaluate(() => {
      const f = window.strata.frameTimes();
      return { built: Array.from(f.built), presented: Array.from(f.presented) };
    });
    const [drawn, shown] = (await page.evaluate(() => [window.strata.framesDrawn, window.strata.framesPresented])).map(
      (v, i) => v - [drawn0, shown0][i],
    );
    const core = await page.evaluate(() => window.strata.benchCore());
    const sets = results.settings.sigmas.length;
    const flops = flopsPerImage && results.models.reduce((a, m) => a + (flopsPerImage[m.name] ?? NaN), 0) * sets * n;
    const rate = flops
      ? `${(flops / 1e9).toFixed(0)} GFLOP, ${(flops / 1e9 / (t.inference / 1000)).toFixed(1)} GFLOP/s`
      : 'GFLOP/s unknown';
    // While the study computes with a user at the page: from the interface's first frame after the
    // user started to the end of the study.
    const from = Math.max(userFrom, frames.built.find((x) => x >= userFrom) ?? Infinity);
    const built = touched(pass) ? frameRates(frames.built, from, t.total) : null;
    const presented = touched(pass) ? frameRates(frames.presented, from, t.total) : null;
    const rates = touched(pass)
      ? `frames/s while computing: built ${rateText(built)}; presented ${rateText(presented)}`
      : 'untouched';
    console.log(
      `${pass.padEnd(9)} | models ${results.models.length} | load ${ms(t.load)} | first panel ${ms(t.firstPanel)} | total ${ms(t.total)} | ` +
        `inference ${ms(t.inference)} (${rate}, ORT threads ${results.settings.runner.match(/(\d+) thread/)?.[1]}) | analysis ${ms(t.analysis)} | ` +
        `${rates} | frames built ${drawn} (${(drawn / (t.total / 1000)).toFixed(1)}/s of the study), presented ${shown} (${(shown / (t.total / 1000)).toFixed(1)}/s) | core alone per model ` +
        `${core.map((c) => `${c.model} ${Math.round(c.ms)} ms`).join(', ')} | load average ${os.loadavg()[0].toFixed(2)}`,
    );
    if (!touched(pass))
      console.log(
        `          | loading steps (ms after navigation): ${Object.entries(t.loadSteps ?? {})
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    return frameRateFailures(pass, built, presented);
  } finally {
    await stopAll(null, browser);
  }
}

// 3b. Walking: once the study is done, WALKS walks of 9 steps (every studied model, different pairs), one
// after the other as a user would ask them, while the mouse moves over the kernel-PCA view. The frames
// built from the first walk's request to the last one's end (at least a second) give the rate; each
// walk's first decoded step is timed from its request (page clock).
const WALKS = 4;
async function walking(url) {
  const pageUrl = `${url}?n=${n}${models ? `&models=${models}` : ''}`;
  const browser = await launchChromium(arg('chromium', '/usr/bin/chromium'));
  try {
    const page = await openPage(browser, pageUrl, 'walking');
    const results = await page.evaluate(() => window.strata.ready.then(() => window.strata.results));
    const stop = moveMouseAlong(page);
    // The same mouse without a walk first: the rate this machine's load leaves the interface anyway.
    const calmFrom = await page.evaluate(() => performance.now() + 300);
    await sleep(1800);
    const calmTo = await page.evaluate(() => performance.now());
    const walks = [];
    for (let i = 0; i < WALKS; i++)
      walks.push(await page.evaluate(([a, b]) => window.strata.walk(a, b, 9), [i, n - 1 - 3 * i]));
    const end = Math.max(walks[walks.length - 1].doneMs, walks[0].askedMs + 1000);
    await page.waitForFunction((t) => performance.now() > t, end);
    await stop();
    const frames = await page.evaluate(() => Array.from(window.strata.frameTimes().built));
    const built = frameRates(frames, walks[0].askedMs, end);
    const calm = frameRates(frames, calmFrom, calmTo);
    const first = walks.map((w) => w.firstMs - w.askedMs);
    const all = walks.map((w) => w.doneMs - w.askedMs);
    console.log(
      `walking   | models ${results.models.length} | ${WALKS} walks of 9 steps | first decoded step shown after ` +
        `${first.map((x) => x.toFixed(0)).join(', ')} ms | every model decoded after ${all.map((x) => x.toFixed(0)).join(', ')} ms | ` +
        `frames/s while walking: built ${rateText(built)}; the same mouse before the walks: ${rateText(calm)} | ` +
        `load average ${os.loadavg()[0].toFixed(2)}`,
    );
    if (built && built.worst >= MIN_FPS) return [];
    const why = `walking: frames built in the worst second while decoding: ${built ? built.worst : 'no span of 1 s'} (at least ${MIN_FPS})`;
    console.log(`FAIL ${why}`);
    return [why];
  } finally {
    await stopAll(null, browser);
  }
}

// The gate: dragging, every frame has a new picture, so the presented frames are what the user
// sees; with the mouse moving, a frame whose picture did not change is built but not presented
// (the canvas already shows it), so the frames built are the interface's rate.
function frameRateFailures(pass, built, presented) {
  const gated = pass === 'dragging' ? ['presented', presented] : pass === 'in-use' ? ['built', built] : null;
  if (!gated) return [];
  const [what, r] = gated;
  if (r && r.worst >= MIN_FPS) return [];
  const why = `${pass}: frames ${what} in the worst second while computing: ${r ? r.worst : 'no span of 1 s'} (at least ${MIN_FPS})`;
  console.log(`FAIL ${why}`);
  return [why];
}

// 4. Runs ---------------------------------------------------------------------------------------------------------
if (!fs.existsSync(path.join(site, 'index.html'))) {
  console.error(`bench.mjs: ${site} has no index.html (build the wasm preset first)`);
  process.exit(1);
}
const server = await startServer(site);
const failures = [];
try {
  console.log(
    `Strata explorer benchmark: N = ${n}, ${runs} run(s), ${os.cpus().length} CPUs, Chromium headless (SwiftShader)`,
  );
  for (let r = 0; r < runs; r++) {
    for (const pass of passes)
      failures.push(...(pass === 'walking' ? await walking(server.url) : await once(server.url, pass)));
  }
} finally {
  await stopAll(server, null);
}
if (failures.length) {
  console.log(`bench.mjs: ${failures.length} frame-rate check(s) failed`);
  process.exitCode = 1;
}
