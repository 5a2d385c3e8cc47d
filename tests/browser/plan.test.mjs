// plan.test.mjs: models from anywhere on the page: each model is run as the core's plan says
// (model_plan.hpp, the rules of `strata characterize`), in a real headless Chromium.
//
//   node tests/browser/plan.test.mjs --site build/wasm/site --strata STRATA --out DIR [--n 60]
//
// Index: 1. arguments and the files (plan_models.py: edits of the shipped models)  2. main
//        3. dropped models: a fixed-batch model with other names joins with the shipped model's
//        numbers, a VAE with other output names with its model.json; three refusals (no choice of
//        latent, an RGB input, a bad model.json), each with a message naming the file  4. bundled models with
//        "settings" in a copy of the site: a normalisation the graph undoes, a chosen latent
//        output; against the shipped models and against `strata characterize` on the same copy
//
// Why edits of the shipped models: the same weights on the same images must give the same
// results, so the way a model is run (its input's name, fixed batches of 7 and 16 that do not
// divide N = 60, so the last batch of each is padded and its padding dropped, the latent found by
// the plan's output names, the declared normalisation) is checked against a known answer: the
// shipped model in the same study, itself compared with `strata characterize` by the explorer test.
// The bundled copy is also compared with `strata characterize` itself, field by field (parity.mjs).
// Needs Python's onnx package to make the files: without it the test reports SKIPPED (exit code 77).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  arg,
  characterizeSite,
  check,
  launchChromium,
  log,
  openExplorer,
  PYTHON,
  planModelFiles,
  repo,
  runTest,
  screenshotOnFailure,
  startServer,
  stopAll,
  testArgs,
} from './harness.mjs';
import { compareStudies } from './parity.mjs';

// 1. Arguments and files ------------------------------------------------------------------------------------------
const { site, out, n, chromiumPath } = testArgs('browser-plan-test', 60);
const SKIP = 77;

// The files plan_models.py makes: {dir, drop: {name: path}}, or null when Python or its onnx
// package is missing.
function makeFiles() {
  const dir = path.join(out, 'plan-files');
  if (!planModelFiles(site, dir)) return null;
  const names = ['fixed_encoder', 'fixed_decoder', 'twoout_encoder', 'rgb_encoder'];
  const drop = Object.fromEntries(names.map((f) => [f, path.join(dir, `${f}.onnx`)]));
  // The VAE with outputs mean / log_var again, with its model.json choosing the latent, and a
  // model.json with a typo beside a copy of sparse.
  const more = {
    nvae_encoder: ['nvae_encoder.onnx', fs.readFileSync(drop.twoout_encoder)],
    nvae_decoder: ['nvae_decoder.onnx', fs.readFileSync(path.join(site, 'models', 'vae', 'decoder.onnx'))],
    nvae_settings: ['nvae.json', JSON.stringify({ latent_output: 'mean' })],
    badset_encoder: ['badset_encoder.onnx', fs.readFileSync(path.join(site, 'models', 'sparse', 'encoder.onnx'))],
    badset_settings: ['badset_model.json', JSON.stringify({ mean: 0.5, stdev: 0.5 })],
  };
  for (const [key, [name, bytes]] of Object.entries(more)) {
    drop[key] = path.join(dir, name);
    fs.writeFileSync(drop[key], bytes);
  }
  return { dir, drop };
}

// 2. main -------------------------------------------------------------------------------------------------------
async function main() {
  fs.mkdirSync(out, { recursive: true });
  const files = makeFiles();
  if (!files) {
    log(`SKIPPED: ${PYTHON} cannot import onnx (Debian: python3-onnx), needed to make the test's models`);
    process.exit(SKIP);
  }
  const copy = bundledCopy(files.dir);
  const native = reference(copy); // before Chromium: the two are not run at the same time
  await onPage(site, `?n=${n}&models=sparse,vae`, async (page) => {
    await page.setInputFiles('#drop-input', Object.values(files.drop));
    await page.waitForFunction(() => window.strata.generation >= 2 && !window.strata.busy, null, { timeout: 90000 });
    const messages = await page.evaluate(() => window.strata.messages);
    const results = await page.evaluate(() => window.strata.results);
    log(`messages: ${JSON.stringify(messages)}`);
    fs.writeFileSync(path.join(out, 'page-dropped.json'), JSON.stringify(results, null, 1));
    droppedChecks(messages, results);
  });
  await onPage(copy, `?n=${n}&models=${BUNDLED.join(',')}`, async (page) => {
    const results = await page.evaluate(() => window.strata.results);
    const messages = await page.evaluate(() => window.strata.messages);
    if (messages.length) log(`messages: ${JSON.stringify(messages)}`);
    fs.writeFileSync(path.join(out, 'page-bundled.json'), JSON.stringify(results, null, 1));
    bundledChecks(results, native);
  });
}

// Serves `dir`, opens the page at `query`, waits for its first study, runs `body(page)`.
async function onPage(dir, query, body) {
  const server = await startServer(dir);
  log(`server pid ${server.pid} at ${server.url}${query}`);
  let browser, page;
  try {
    browser = await launchChromium(chromiumPath);
    let consoleErrors;
    ({ page, consoleErrors } = await openExplorer(browser, server.url + query));
    await page.evaluate(() => window.strata.ready);
    log(`first study done (N = ${n})`);
    await body(page);
    check(consoleErrors.length === 0, `no console error ${consoleErrors.slice(0, 3).join(' | ')}`);
  } catch (e) {
    await screenshotOnFailure(page, path.join(out, 'plan-failure.png'));
    throw e;
  } finally {
    await stopAll(server, browser); // server by PID, Chromium, its profile
  }
}

// 3. Dropped models ---------------------------------------------------------------------------------------------
// Relative closeness for numbers that differ only by ONNX Runtime's batch sizes; a non-finite value fails.
const close = (a, b, rel = 1e-5) =>
  Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

// Whether a model's sets are those of the shipped model it was made from: the same ranks, strata
// and shapes; effective ranks (all N latents, none of a padding) and PSNR close.
function sameSets(mine, shipped, what) {
  const same = (key) => mine.sets.length === shipped.sets.length && mine.sets.every((s, k) => key(s, shipped.sets[k]));
  const text = (s) => JSON.stringify([s.n, s.shape, s.ranks, s.strata]);
  check(
    same((a, b) => text(a) === text(b)),
    `${what}: every set has the ranks, strata and shape of the shipped model`,
  );
  check(
    same((a, b) => {
      const [u, v] = [a.effective_ranks.flat(), b.effective_ranks.flat()]; // per sample, 3 each
      return a.n === n && u.length === 3 * n && u.length === v.length && u.every((x, i) => close(x, v[i]));
    }),
    `${what}: and its effective ranks`,
  );
  check(
    same((a, b) => close(a.psnr_mean, b.psnr_mean) && close(a.psnr_std, b.psnr_std)),
    `${what}: and its PSNR`,
  );
}

function droppedChecks(messages, results) {
  const fixed = results.models.find((m) => m.name === 'fixed');
  const sparse = results.models.find((m) => m.name === 'sparse');
  check(
    messages.some((m) => m.startsWith('fixed_encoder.onnx:') && /added with its decoder/.test(m)) && fixed && sparse,
    `the fixed-batch model joins as 'fixed' (${results.models.map((m) => m.name).join(', ')})`,
  );
  if (!fixed || !sparse) return;
  const p = fixed.plan;
  check(
    p.input_name === 'pixels' &&
      p.batch === 7 &&
      p.latent_output === 'code' &&
      p.logvar_output === null &&
      p.latent_rule === 'the only output' &&
      JSON.stringify(p.input) === '[1,28,28]' &&
      fixed.normalisation === null,
    `its plan in the results: the file's names and fixed batch (${JSON.stringify(p)})`,
  );
  check(sparse.plan.batch === 'any', `the shipped model's batch is free (${JSON.stringify(sparse.plan)})`);
  sameSets(fixed, sparse, "the dropped 'fixed' (batches of 7 and 16, padded)");
  check(
    messages.some(
      (m) => m.startsWith('twoout_encoder.onnx:') && /'mean' and 'log_var'/.test(m) && /latent_output/.test(m),
    ),
    'two outputs of one shape and no choice: refused, asking for latent_output',
  );
  const rgb = results.models.find((m) => m.name === 'rgb');
  check(
    messages.some((m) => m.startsWith('rgb_encoder.onnx:') && /added \(no decoder/.test(m)) &&
      JSON.stringify(rgb?.plan.input) === '[3,32,32]' &&
      rgb.sets.length === sparse.sets.length &&
      rgb.sets[0].psnr_mean === null,
    `an RGB 32 x 32 encoder alone joins: the images converted to its input, no PSNR (${JSON.stringify(rgb?.plan)})`,
  );
  const vae = results.models.find((m) => m.name === 'vae');
  const nvae = results.models.find((m) => m.name === 'nvae');
  check(
    nvae?.model_settings === 'dropped: nvae.json' &&
      nvae.variational === true &&
      nvae.plan.latent_output === 'mean' &&
      nvae.plan.logvar_output === 'log_var',
    `a VAE with its model.json: joins, variational by the chosen output (${JSON.stringify(nvae?.plan)})`,
  );
  if (nvae && vae) sameSets(nvae, vae, "the dropped 'nvae' (its model.json's latent_output)");
  check(
    messages.some((m) => m.startsWith('badset_model.json:') && /stdev/.test(m)),
    'a model.json with an unknown key: refused, naming the file and the key',
  );
  check(!results.models.some((m) => ['twoout', 'badset'].includes(m.name)), 'the refused models are not added');
}

// 4. Bundled models with settings ------------------------------------------------------------------------------------
const BUNDLED = ['sparse', 'vae', 'normed', 'namedvae', 'rgb'];
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

// A copy of the site whose manifest lists sparse, vae and two models with "settings" (plan_models.py
// section 3): `normed` (sparse behind a normalisation its graph undoes, batches fixed at 7 and 16)
// and `namedvae` (vae's encoder with the outputs mean / log_var, vae's decoder); and `rgb`, an RGB
// 3 x 32 x 32 encoder without a decoder, on the sample converted to its input (as characterize does).
function bundledCopy(made) {
  const dir = path.join(out, 'site');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(site)) if (f !== 'models') fs.symlinkSync(path.join(site, f), path.join(dir, f));
  const models = path.join(dir, 'models');
  fs.cpSync(path.join(site, 'models'), models, { recursive: true, dereference: true });
  for (const name of ['normed', 'namedvae'])
    fs.cpSync(path.join(made, name), path.join(models, name), { recursive: true });
  fs.mkdirSync(path.join(models, 'rgb'));
  fs.copyFileSync(path.join(made, 'rgb_encoder.onnx'), path.join(models, 'rgb', 'encoder.onnx'));
  const manifest = JSON.parse(fs.readFileSync(path.join(models, 'manifest.json'), 'utf8'));
  const entry = (name) => manifest.models.find((e) => e.name === name);
  const file = (p) => {
    const b = fs.readFileSync(path.join(models, p));
    return { path: p, bytes: b.length, sha256: sha256(b) };
  };
  const derived = (from, name, files, settings) => ({
    ...structuredClone(entry(from)),
    name,
    in_paper: false,
    files: Object.fromEntries(Object.entries(files).map(([k, p]) => [k, file(p)])),
    settings,
  });
  manifest.models = [
    entry('sparse'),
    entry('vae'),
    derived(
      'sparse',
      'normed',
      { encoder: 'normed/encoder.onnx', decoder: 'normed/decoder.onnx' },
      { mean: [0.25], std: [0.5] },
    ),
    derived(
      'vae',
      'namedvae',
      { encoder: 'namedvae/encoder.onnx', decoder: 'vae/decoder.onnx' },
      { latent_output: 'mean' },
    ),
    { ...derived('sparse', 'rgb', { encoder: 'rgb/encoder.onnx' }, {}), latent_shape: [64, 8, 8] },
  ];
  fs.writeFileSync(path.join(models, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return dir;
}

// `strata characterize` on the copy, with the page's default settings (as the explorer test runs it).
function reference(dir) {
  const strata = path.resolve(repo, arg('strata', 'build/native/native_trainer/strata'));
  if (!fs.existsSync(strata)) throw new Error(`${strata}: no strata program (build the native preset, or --strata)`);
  return characterizeSite(strata, dir, n, path.join(out, 'characterize.json'));
}

function bundledChecks(results, native) {
  const names = results.models.map((m) => m.name);
  check(JSON.stringify(names) === JSON.stringify(BUNDLED), `the five bundled models are studied (${names.join(', ')})`);
  const [sparse, vae, normed, namedvae, rgb] = BUNDLED.map((name) => results.models.find((m) => m.name === name));
  if (!sparse || !vae || !normed || !namedvae || !rgb) return;
  check(
    JSON.stringify(rgb.plan.input) === '[3,32,32]' && rgb.decoder === null && rgb.sets[0].psnr_mean === null,
    `rgb: planned at 3 x 32 x 32, no decoder, PSNR null (${JSON.stringify(rgb.plan)})`,
  );
  check(
    normed.plan.batch === 7 &&
      normed.plan.input_name === 'x_normalised' &&
      JSON.stringify(normed.normalisation) === JSON.stringify({ mean: [0.25], std: [0.5] }),
    `normed: its plan and normalisation in the results (${JSON.stringify([normed.plan, normed.normalisation])})`,
  );
  sameSets(normed, sparse, 'normed (normalised in, un-normalised out, batches of 7 and 16)');
  check(
    namedvae.variational === true &&
      namedvae.vae_latent === vae.vae_latent &&
      namedvae.plan.latent_output === 'mean' &&
      namedvae.plan.logvar_output === 'log_var',
    `namedvae: variational by the chosen output and its twin (${JSON.stringify(namedvae.plan)})`,
  );
  sameSets(namedvae, vae, 'namedvae (latent sampled from mean and log_var)');
  const diffs = compareStudies(results, native);
  for (const d of diffs) log(`  ${d}`);
  check(diffs.length === 0, 'the page and `strata characterize` agree on the copy, field by field (parity.mjs)');
}

runTest('plan.test.mjs', main, 'all plan checks passed');
