// walk.test.mjs: interpolation and neighbours in a real headless Chromium, against the native program.
//
//   node tests/browser/walk.test.mjs --site build/wasm/site --out DIR --strata build/native/native_trainer/strata [--n 60]
//
// Index: 1. arguments  2. the native references: `strata characterize --interpolations` (twice: the
//        sampled VAE latents it analyses and the mu it walks, dumped) and tests/browser/walk_reference.py
//        on those latents (numpy)  3. the page: window.strata.interpolate on the native pairs, ranks
//        exactly and distances by the parity rule, decoded images  4. window.strata.neighbours against
//        the numpy reference  5. clean-up
//
// The parity rule (parity.mjs): integers exactly, other numbers within REL of the array's scale. The
// page's latents come from ONNX Runtime Web and the native ones from LibTorch's kernels; they differ
// at round-off level, which the rule allows for.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  arg,
  characterizeSite,
  check,
  launchChromium,
  log,
  openExplorer,
  PYTHON,
  repo,
  runTest,
  screenshotOnFailure,
  startServer,
  stopAll,
  testArgs,
} from './harness.mjs';
import { REL } from './parity.mjs';

// 1. Arguments ---------------------------------------------------------------------------------------
const { site, out, n, chromiumPath } = testArgs('browser-walk-test', 60);
const strata = arg('strata', path.join(repo, 'build/native/native_trainer/strata'));
const PAIRS = 3,
  STEPS = 9,
  K = 8;
const SAMPLES = [0, 17, n - 1];

// Numbers within REL of the largest magnitude of both arrays (the parity rule's "relative to the scale").
function closeArrays(a, b) {
  if (a.length !== b.length) return false;
  const scale = Math.max(1e-12, ...a.map(Math.abs), ...b.map(Math.abs));
  return a.every((x, i) => Number.isFinite(x) && Number.isFinite(b[i]) && Math.abs(x - b[i]) <= REL * scale);
}

async function main() {
  fs.mkdirSync(out, { recursive: true });
  if (!fs.existsSync(strata)) throw new Error(`${strata}: the native program is missing (build the native preset)`);

  // 2. Native references ----------------------------------------------------------------------------------------
  const walk = ['--interpolations', String(PAIRS), '--interpolation-steps', String(STEPS)];
  const native = characterizeSite(strata, site, n, path.join(out, 'sample.json'), [
    ...walk,
    '--dump-latents',
    path.join(out, 'sample'),
  ]);
  characterizeSite(strata, site, n, path.join(out, 'mean.json'), [
    ...walk,
    '--vae-latent',
    'mean',
    '--dump-latents',
    path.join(out, 'mean'),
  ]);
  const pairs = native.models[0].interpolation.paths.map((p) => [p.a, p.b]);
  const r = spawnSync(
    PYTHON,
    [
      path.join(repo, 'tests/browser/walk_reference.py'),
      '--latents',
      path.join(out, 'sample'),
      '--mean-latents',
      path.join(out, 'mean'),
      '--models',
      native.models.map((m) => m.name).join(','),
      '--pairs',
      pairs.map((p) => p.join('-')).join(','),
      '--samples',
      SAMPLES.join(','),
      '--k',
      String(K),
      '--steps',
      String(STEPS),
      '--out',
      path.join(out, 'reference.json'),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`walk_reference.py failed: ${r.stderr}`);
  const reference = JSON.parse(fs.readFileSync(path.join(out, 'reference.json'), 'utf8'));
  // The numpy reference and the native program agree on the walk (same latents: tight).
  for (const m of native.models) {
    const ref = reference[m.name];
    const ok = m.interpolation.paths.every(
      (p, i) =>
        JSON.stringify(p.ranks) === JSON.stringify(ref.paths[i].ranks) &&
        closeArrays(p.distance_to_data, ref.paths[i].distance_to_data),
    );
    check(ok, `${m.name}: strata characterize's paths equal numpy's on the saved latents`);
  }

  // 3. The page -----------------------------------------------------------------------------------------------------
  const server = await startServer(site);
  log(`server pid ${server.pid} at ${server.url}`);
  let browser, page;
  try {
    browser = await launchChromium(chromiumPath);
    let consoleErrors;
    ({ page, consoleErrors } = await openExplorer(browser, `${server.url}?n=${n}`));
    const results = await page.evaluate(() => window.strata.ready.then(() => window.strata.results));
    const studied = results.models.map((m) => m.name);
    log(`default study done (N = ${n}): ${studied.join(', ')}`);
    check(studied.length >= 3, 'the page studies at least three models');
    for (const name of studied) {
      const nm = native.models.find((m) => m.name === name);
      if (!nm) {
        check(false, `${name}: in strata characterize's results`);
        continue;
      }
      for (const [p, [a, b]] of pairs.entries()) {
        const t0 = Date.now();
        const got = await page.evaluate(
          ([model, a, b, k]) =>
            window.strata.interpolate(model, a, b, k).then((r) => ({
              ...r,
              latents: Array.from(r.latents),
              images: r.images ? Array.from(r.images) : null,
            })),
          [name, a, b, STEPS],
        );
        const want = nm.interpolation.paths[p];
        const where = `${name} ${a} -> ${b}`;
        check(
          JSON.stringify(got.ranks) === JSON.stringify(want.ranks) &&
            JSON.stringify(got.changes_stratum) === JSON.stringify(want.changes_stratum),
          `${where}: rank triples and stratum changes equal native (${JSON.stringify(got.ranks[STEPS >> 1])} mid-path)`,
        );
        check(
          closeArrays(got.distance_to_data, want.distance_to_data),
          `${where}: distances to data equal native within the parity rule (max ${Math.max(...got.distance_to_data).toFixed(4)})`,
        );
        check(
          got.latent === (nm.variational ? 'mu' : 'latent') && got.t.length === STEPS,
          `${where}: walked in ${got.latent}, ${got.t.length} steps`,
        );
        const px = got.image[0] * got.image[1] * got.image[2];
        check(
          got.images && got.images.length === STEPS * px && got.images.every(Number.isFinite),
          `${where}: ${STEPS} decoded images, finite (${Date.now() - t0} ms for the request)`,
        );
      }

      // 4. Neighbours --------------------------------------------------------------------------------------------------
      for (const i of SAMPLES) {
        const got = await page.evaluate(([model, i, k]) => window.strata.neighbours(model, i, k), [name, i, K]);
        const want = reference[name].neighbours[String(i)];
        for (const space of ['latent', 'kernel']) {
          const gi = got[space].map((e) => e.index),
            wi = want[space].map((e) => e[0]);
          check(
            JSON.stringify(gi) === JSON.stringify(wi) &&
              closeArrays(
                got[space].map((e) => e.distance),
                want[space].map((e) => e[1]),
              ),
            `${name} sample ${i}: ${space} neighbours equal the reference (${gi.join(' ')})`,
          );
        }
        check(
          got.kernel_dim === want.kernel_dim,
          `${name}: kernel neighbours on dim_eta = ${got.kernel_dim} components`,
        );
      }
    }
    // Bad requests are refused with a reason.
    const refused = await page.evaluate(
      ([model, n]) =>
        window.strata.interpolate(model, 0, n, 9).then(
          () => null,
          (e) => e.message,
        ),
      [studied[0], n],
    );
    check(refused && refused.includes('outside'), `a sample outside the set is refused: ${refused}`);
    check(consoleErrors.length === 0, `no console errors (${consoleErrors.slice(0, 3).join(' | ')})`);
  } catch (e) {
    await screenshotOnFailure(page, path.join(out, 'failure.png'));
    throw e;
  } finally {
    // 5. Clean-up ------------------------------------------------------------------------------------------------------
    await stopAll(server, browser);
  }
}

runTest('browser-walk-test', main, 'browser walk test passed');
