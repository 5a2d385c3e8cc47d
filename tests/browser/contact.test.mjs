// contact.test.mjs: first contact with the explorer, as a new user meets it, in a real headless
// Chromium: the finding's line, the mouse wheel, the messages panel, a model that fails at run time,
// and the smaller things a first look trips over.
//
//   node tests/browser/contact.test.mjs --site build/wasm/site --out DIR [--n 60]
//
// Index: 1. arguments, the failing encoders (contact_models.py), helpers
//        2. the finding's line, recomputed here from window.strata.results
//        3. the mouse wheel over the strata table reaches its last row
//        4. a text that does not fit: the verdict column, rank ticks, the view's legend
//        5. two dropped encoders that fail at run time (one at the clean set, one at the first noise
//           level): marked failed, their messages name the file and the noise level, the other
//           models' study complete and unchanged
//        6. the messages panel covers no plot; the t-SNE label before its first progress report
//
// The page runs the default study (the paper's models, 7 noise levels) at N = --n (60) with the kernel-PCA
// view coloured by class. SKIPPED (77) when /usr/bin/python3 cannot import onnx (the failing encoders
// are made from the shipped one).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  check,
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

// 1. Arguments, the failing encoders, helpers ------------------------------------------------------------------
const { site, out, n, chromiumPath } = testArgs('browser-contact-test', 60);
const PYTHON = '/usr/bin/python3';

// Two encoders made from the shipped CAE encoder by contact_models.py, both declaring a free batch:
// batch1 runs only on a batch of 1 (fails at the clean set), noisyonly fails on noisy images (its
// clean set is computed, the first noise level fails). {batch1, noisyonly} file paths; null when
// Python has no onnx package.
function failingEncoders() {
  if (spawnSync(PYTHON, ['-c', 'import onnx']).status !== 0) return null;
  const files = {};
  for (const [name, mode] of [
    ['batch1', 'batch1'],
    ['noisyonly', 'noisy'],
  ]) {
    files[name] = path.join(out, `${name}_encoder.onnx`);
    const r = spawnSync(PYTHON, [
      path.join(repo, 'tests/browser/contact_models.py'),
      mode,
      path.join(site, 'models', 'cae', 'encoder.onnx'),
      files[name],
    ]);
    if (r.status !== 0) throw new Error(`contact_models.py ${mode} failed: ${r.stderr}`);
  }
  return files;
}

// The view state; `texts` is {} on a page that records none (so every check below can fail alone).
const view = (page) => page.evaluate(() => ({ texts: {}, ...window.strata.view() }));
const inside = (a, b) => a.x >= b.x - 1 && a.y >= b.y - 1 && a.x + a.w <= b.x + b.w + 1 && a.y + a.h <= b.y + b.h + 1;
const overlap = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

// 2. The finding's line, from the results: per model the noise levels at which its set is stratified
// (more than one rank triple), worded as docs/explorer.md says, models with the same words grouped in
// model order, each group's strata counts (of its first stratified set) in parentheses; models the
// study could not run last, as "failed".
function expectedSummary(results) {
  const groups = [];
  const add = (name, words, count) => {
    let g = groups.find((x) => x.words === words);
    if (!g) groups.push((g = { words, names: [], counts: [] }));
    g.names.push(name);
    if (count) g.counts.push(count);
  };
  for (const m of results.models) {
    const strat = m.sets.filter((s) => s.strata.length > 1);
    if (!strat.length) add(m.name, 'one stratum at every sigma', 0);
    else {
      const count = strat[0].strata.length;
      const clean = strat[0].sigma === 0;
      const others = strat.filter((s) => s.sigma !== 0).map((s) => String(s.sigma));
      let words;
      if (strat.length === m.sets.length) words = 'stratified at every sigma';
      else if (clean && !others.length) words = 'stratified when clean';
      else words = `stratified ${clean ? 'when clean and at' : 'at'} sigma = ${others.join(', ')}`;
      add(m.name, words, count);
    }
  }
  for (const f of results.failed ?? []) add(f.name, 'failed', 0);
  return groups
    .map((g) => `${g.names.join(', ')}: ${g.words}${g.counts.length ? ` (${g.counts.join(', ')} strata)` : ''}`)
    .join('; ');
}

async function summaryStep(page, results) {
  const shown = await page.evaluate(() => window.strata.summary);
  const want = expectedSummary(results);
  log(`summary: ${shown}`);
  check(shown === want, `the finding's line matches the results (expected: ${want})`);
  // The line is drawn above every panel, whole at this width.
  const v = await view(page);
  const panels = await page.evaluate(() => window.strata.panels());
  const r = v.rects.summary;
  check(r && panels.every((p) => r.y + r.h <= p.y), 'the finding is drawn above every panel');
  check(v.texts.summary === want, 'the finding is shown whole (not cut) at 1280 pixels');
}

// 3. The wheel: over the strata table, wheel notches downwards until its last row is inside the
// table's visible area. The last row: the last enabled model's set at the selected sigma, its
// least frequent stratum.
async function wheelStep(page, results) {
  const v = await view(page);
  const k = v.sigmaIndex;
  const m = results.models[results.models.length - 1];
  const name = `strata_row_${m.name}_${k}_${m.sets[k].strata.length - 1}`;
  // The table's visible area; on a page that does not record it, its panel's (a looser bound).
  const panel = (await page.evaluate(() => window.strata.panels())).find((p) => p.title === 'Strata (rank triples)');
  const table = v.rects.strata_table ?? panel;
  const before = v.rects[name];
  log(`table ${JSON.stringify(table)}, ${name} ${JSON.stringify(before)}`);
  check(table && before && before.y + before.h > table.y + table.h, 'at first the last strata row is below the fold');
  const firstName = `strata_row_${results.models[0].name}_0_0`;
  const firstBefore = v.rects[firstName];
  await page.mouse.move(table.x + table.w / 2, table.y + table.h / 2);
  await sleep(200);
  let last = before;
  for (let i = 0; i < 30 && last && table && !inside(last, table); i++) {
    await page.mouse.wheel(0, 100); // one notch down
    await sleep(150);
    last = await rect(page, name);
  }
  log(`after the wheel: ${name} ${JSON.stringify(last)}`);
  check(last && table && inside(last, table), 'the wheel scrolls the strata table down to its last row');
  const first = await rect(page, firstName);
  check(first && firstBefore && first.y < firstBefore.y - 20, 'the first rows moved up (the wheel scrolls down)');
}

// 4. Texts that must not clip, and what a first look needs to read the plots.
async function textStep(page, results) {
  const v = await view(page);
  const table = v.rects.strata_table;
  for (const m of results.models) {
    const want = m.sets[0].smooth ? 'smooth' : `stratified (${m.sets[0].strata.length})`;
    const r = v.rects[`verdict_${m.name}_0`];
    check(
      v.texts[`verdict_${m.name}_0`] === want && r && table && r.x + r.w <= table.x + table.w + 1,
      `${m.name}: the verdict '${want}' shown whole inside the table (${v.texts[`verdict_${m.name}_0`]})`,
    );
  }
  const ticks = Object.entries(v.texts).filter(([name]) => name.startsWith('ticks##hist'));
  check(ticks.length >= 3, `rank histograms drawn (${ticks.length})`);
  check(
    ticks.every(([, t]) => t.split(' ').every((l) => /^-?\d+$/.test(l))),
    `rank histograms: ticks at whole ranks only (${ticks.map(([, t]) => t).join(' | ')})`,
  );
  check(
    /filled = clean, hollow = sigma /.test(v.texts.kpca_legend ?? ''),
    `coloured by class, the legend says which markers are clean and noisy (${v.texts.kpca_legend})`,
  );
}

// 5. Failing models, dropped together: the study carries on.
async function failingStep(page, encoders, before) {
  const g = await page.evaluate(() => window.strata.generation);
  const count = await page.evaluate(() => window.strata.messages.length);
  await page.setInputFiles('#drop-input', [encoders.batch1, encoders.noisyonly]);
  await page.waitForFunction(
    (gen) => !window.strata.busy && !window.strata.dropping && window.strata.generation > gen,
    g,
    { timeout: 120000 },
  );
  const { results, messages } = await page.evaluate(() => ({
    results: window.strata.results,
    messages: window.strata.messages,
  }));
  const fresh = messages.slice(count);
  log(`messages: ${JSON.stringify(fresh)}`);
  for (const [name, sigma] of [
    ['batch1', 0],
    ['noisyonly', results.settings.sigmas[1]],
  ])
    check(
      fresh.some(
        (l) => l.includes(`${name}_encoder.onnx`) && l.includes(`failed at sigma = ${sigma} `) && /batch of/.test(l),
      ),
      `a message names ${name}'s file, the noise level (${sigma}) and what failed`,
    );
  const failed = results.failed ?? [];
  check(
    failed.length === 2 &&
      failed.every((f, i) => f.name === ['batch1', 'noisyonly'][i] && f.reason.includes(`${f.name}_encoder.onnx`)),
    `results.failed names both models and their files (${JSON.stringify(failed).slice(0, 300)})`,
  );
  const sets = (r) => JSON.stringify(r.models.map((m) => [m.name, m.sets.map((s) => [s.sigma, s.ranks, s.strata])]));
  check(
    results.models.every((m) => m.sets.length === results.settings.sigmas.length) && sets(results) === sets(before),
    'the other models: every noise level computed, the same results as before the drop',
  );
  const v = await view(page);
  for (const name of ['batch1', 'noisyonly'])
    check(/failed/.test(v.texts[`model_${name}`] ?? ''), `the models panel marks ${name} failed`);
  check(v.texts.h_batch1 === '-', `no bandwidth shown for batch1, which has no clean set (${v.texts.h_batch1})`);
  check(
    Number(v.texts.h_noisyonly) > 0,
    `noisyonly's clean set was computed before its failure (h = ${v.texts.h_noisyonly})`,
  );
  const summary = await page.evaluate(() => window.strata.summary);
  check(summary === expectedSummary(results), `the finding's line lists both as failed (${summary})`);
  const status = await page.evaluate(() => document.getElementById('message').textContent);
  check(status === '', 'no error over the canvas');
  return results;
}

// 6. The messages panel, and the t-SNE label while it starts.
async function messagesStep(page) {
  const v = await view(page);
  const panels = await page.evaluate(() => window.strata.panels());
  const box = panels.find((p) => p.title === 'Messages');
  check(!!box, 'a messages panel');
  // No other panel under it, and no plot's visible part (inside its own panel) under it.
  const under = panels.filter((p) => p !== box && box && overlap(box, p)).map((p) => p.title);
  check(box && !under.length, `it overlaps no other panel (${under})`);
  const plots = Object.entries(v.rects).filter(([name, r]) => name.startsWith('shown##') && r.w > 0 && r.h > 0);
  const covered = plots.filter(([, r]) => box && overlap(box, r)).map(([name]) => name);
  check(box && plots.length >= 6 && !covered.length, `it covers no plot (${plots.length} plots; ${covered})`);
  const html = await page.evaluate(() => {
    const r = document.getElementById('drop-messages').getBoundingClientRect();
    return r.width * r.height;
  });
  check(html <= 1, `no message box of the page over the canvas (${html} px²)`);

  const tsneBefore = await page.evaluate(() => window.strata.tsneCount);
  const r = await rect(page, 'view_tsne');
  await page.mouse.move(r.x + 6, r.y + r.h / 2);
  await sleep(150);
  await page.mouse.down();
  await sleep(150);
  await page.mouse.up();
  const labels = new Set();
  for (let i = 0; i < 200; i++) {
    const s = await page.evaluate(() => ({
      label: window.strata.view().texts.tsne_progress,
      n: window.strata.tsneCount,
    }));
    if (s.label) labels.add(s.label);
    if (s.n > tsneBefore) break;
    await sleep(50);
  }
  log(`t-SNE labels seen: ${[...labels].join(' | ')}`);
  check(
    labels.size > 0 && ![...labels].some((l) => / 0 \/ 0/.test(l)),
    'the t-SNE label never reads "iteration 0 / 0"',
  );
}

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const encoders = failingEncoders();
  if (!encoders) {
    log(`SKIPPED: ${PYTHON} cannot import onnx (Debian: python3-onnx), needed to make the failing encoders`);
    process.exit(77);
  }
  const server = await startServer(site);
  let browser, page;
  try {
    browser = await launchChromium(chromiumPath);
    let consoleErrors;
    ({ page, consoleErrors } = await openExplorer(browser, `${server.url}?n=${n}&color=class`));
    const results = await page.evaluate(() => window.strata.ready);
    log(`default study done (N = ${n}): ${results.models.map((m) => m.name).join(', ')}`);
    await sleep(500);
    await summaryStep(page, results);
    await textStep(page, results);
    await wheelStep(page, results);
    await failingStep(page, encoders, results);
    await messagesStep(page);
    await page.screenshot({ path: path.join(out, 'contact.png') });
    check(consoleErrors.length === 0, `no console error ${consoleErrors.slice(0, 3).join(' | ')}`);
  } catch (e) {
    await screenshotOnFailure(page, path.join(out, 'contact-failure.png'));
    throw e;
  } finally {
    await stopAll(server, browser);
  }
}

runTest('contact.test.mjs', main, 'first contact: all checks passed');
