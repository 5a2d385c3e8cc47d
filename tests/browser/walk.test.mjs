// walk.test.mjs: interpolation and neighbours in a real headless Chromium, against the native program.
//
//   node tests/browser/walk.test.mjs --site build/wasm/site --out DIR --strata build/native/native_trainer/strata [--n 60]
//
// Index: 1. arguments  2. the native references: `strata characterize --interpolations` (twice: the
//        sampled VAE latents it analyses and the mu it walks, dumped) and tests/browser/walk_reference.py
//        on those latents (numpy)  3. the page: window.strata.interpolate on the native pairs, ranks
//        exactly and distances by the parity rule, decoded images  4. window.strata.neighbours against
//        the numpy reference  5. the "Find, neighbours, walk" panel driven as a user would: a walk from its
//        button on a native pair (every model's strip: triples, distances, decoded steps, the path's
//        places in the kernel-PCA view against numpy's projection); A clicked with the mouse in the
//        kernel-PCA view and B in the neighbours list (the second pick's first decoded step timed on the
//        page clock; the walk, the neighbours list and the path against numpy); a class selection
//        isolated (its faded points read from the canvas); the URL opened in a fresh page shows the same
//        selection and walk; screenshots of each tab  6. clean-up
//
// The parity rule (parity.mjs): integers exactly, other numbers within REL of the array's scale. The
// page's latents come from ONNX Runtime Web and the native ones from LibTorch's kernels; they differ
// at round-off level, which the rule allows for.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  arg,
  center,
  characterizeSite,
  check,
  click,
  isolatedPoint,
  launchChromium,
  log,
  openExplorer,
  PYTHON,
  rect,
  repo,
  runTest,
  screenshotOnFailure,
  sleep,
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
  // numpy on the dumped latents: paths (with their kernel-PCA places) and neighbours.
  const numpyReference = (pairList, samples, file, names = native.models.map((m) => m.name)) => {
    const r = spawnSync(
      PYTHON,
      [
        path.join(repo, 'tests/browser/walk_reference.py'),
        '--latents',
        path.join(out, 'sample'),
        '--mean-latents',
        path.join(out, 'mean'),
        '--models',
        names.join(','),
        '--pairs',
        pairList.map((p) => p.join('-')).join(','),
        '--samples',
        samples.join(','),
        '--k',
        String(K),
        '--steps',
        String(STEPS),
        '--out',
        path.join(out, file),
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`walk_reference.py failed: ${r.stderr}`);
    return JSON.parse(fs.readFileSync(path.join(out, file), 'utf8'));
  };
  const reference = numpyReference(pairs, SAMPLES, 'reference.json');
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
    await walkPanel(page, browser, server, native, pairs, reference, numpyReference, n);
    check(consoleErrors.length === 0, `no console errors (${consoleErrors.slice(0, 3).join(' | ')})`);
  } catch (e) {
    await screenshotOnFailure(page, path.join(out, 'failure.png'));
    throw e;
  } finally {
    // 6. Clean-up ------------------------------------------------------------------------------------------------------
    await stopAll(server, browser);
  }
}

// 5. The panel ---------------------------------------------------------------------------------------------------------
// The panel's walk of one model against a path of the reference (native or numpy): triples exactly, distances
// and kernel-PCA places by the parity rule, every step decoded.
function samePath(got, want, where, { coords = true } = {}) {
  check(
    got.path && JSON.stringify(got.ranks) === JSON.stringify(want.ranks),
    `${where}: the panel's rank triples equal the reference (${JSON.stringify(got.ranks[0])} ... ${JSON.stringify(got.ranks[got.ranks.length - 1])})`,
  );
  if (want.changes_stratum)
    check(
      JSON.stringify(got.changes) === JSON.stringify(want.changes_stratum),
      `${where}: the marked stratum changes equal the reference (${got.changes.filter((x) => x).length} marked)`,
    );
  check(
    closeArrays(got.distance, want.distance_to_data),
    `${where}: the distance-to-data plot's values equal the reference (max ${Math.max(...got.distance).toFixed(4)})`,
  );
  if (coords)
    check(
      closeArrays(got.coords.flat(), want.coords.flat()),
      `${where}: the path's places in the kernel-PCA view equal numpy's projection (step 0 at ${got.coords[0].map((x) => x.toFixed(4))})`,
    );
  check(got.decoded === STEPS, `${where}: ${got.decoded} of ${STEPS} steps decoded and shown`);
}

// How much a canvas rectangle is lit above its background (the WebGL canvas keeps its drawing buffer): the
// sum over its pixels of their brightness above the median pixel's (the plot's background).
const brightness = (page, r) =>
  page.evaluate((r) => {
    const c = document.getElementById('canvas');
    const t = document.createElement('canvas');
    t.width = Math.round(r.w);
    t.height = Math.round(r.h);
    const g = t.getContext('2d');
    const sx = c.width / c.clientWidth;
    g.drawImage(c, r.x * sx, r.y * sx, r.w * sx, r.h * sx, 0, 0, t.width, t.height);
    const d = g.getImageData(0, 0, t.width, t.height).data;
    const lum = [];
    for (let i = 0; i < d.length; i += 4) lum.push(d[i] + d[i + 1] + d[i + 2]);
    const background = [...lum].sort((x, y) => x - y)[lum.length >> 1];
    return lum.reduce((sum, x) => sum + Math.max(0, x - background), 0);
  }, r);

async function waitWalk(page, serial) {
  await page.waitForFunction(
    (s) => window.strata.walkState().serial >= s && window.strata.walkState().doneMs >= 0,
    serial,
    {
      timeout: 60000,
    },
  );
  return page.evaluate(() => window.strata.walkState());
}

async function walkPanel(page, browser, server, native, pairs, reference, numpyReference, n) {
  const studied = (await page.evaluate(() => window.strata.results)).models.map((m) => m.name);
  // (a) The walk button's path on the first native pair, every model side by side.
  const [a0, b0] = pairs[0];
  const w0 = await page.evaluate(([a, b, k]) => window.strata.walk(a, b, k), [a0, b0, STEPS]);
  check(w0.tab === 2, 'a walk opens the Walk tab');
  check(
    JSON.stringify(w0.models.map((m) => m.name)) === JSON.stringify(studied),
    `the walk panel shows every studied model (${studied.join(', ')})`,
  );
  for (const nm of native.models.filter((m) => studied.includes(m.name))) {
    const got = w0.models.find((m) => m.name === nm.name);
    if (!got) {
      check(false, `${nm.name}: in the walk panel`);
      continue;
    }
    check(got.latent === (nm.variational ? 'mu' : 'latent'), `${nm.name}: the panel says it walks in ${got.latent}`);
    samePath(got, nm.interpolation.paths[0], `panel ${nm.name} ${a0} -> ${b0} (native)`, { coords: false });
    samePath(got, reference[nm.name].paths[0], `panel ${nm.name} ${a0} -> ${b0} (numpy)`);
  }

  // (b) A clicked in the kernel-PCA view, B in the neighbours list: real mouse clicks.
  const model = studied[0];
  await page.evaluate(() => window.strata.showTab('walk'));
  await sleep(300);
  const pick = await rect(page, 'walk_pick');
  await click(page, ...center(pick));
  check((await page.evaluate(() => window.strata.walkState().picking)) === 1, 'the pick button waits for A');
  const area = await rect(page, 'kpca_plot');
  const { sigmaIndex } = await page.evaluate(() => window.strata.view());
  const sets = (await page.evaluate(() => window.strata.results)).models[0].sets;
  const aim = isolatedPoint(area, sets[0].embedding_2d, sigmaIndex > 0 ? sets[sigmaIndex].embedding_2d : []);
  await click(page, aim.x, aim.y);
  const afterA = await page.evaluate(() => window.strata.walkState());
  check(
    afterA.picking === 2 && afterA.a === aim.index,
    `a click in the kernel-PCA view sets A = ${afterA.a} (aimed at ${aim.index})`,
  );
  await page.evaluate(() => window.strata.showTab('neighbours'));
  const key = `${model}/${aim.index}/${K}`;
  await page.waitForFunction((k) => window.strata.neighboursState().key === k, key, { timeout: 20000 });
  await sleep(300);
  const listed = await page.evaluate(() => window.strata.neighboursState());
  const row = await rect(page, 'nb_latent_0');
  const before = afterA.serial;
  await click(page, ...center(row));
  const w1 = await waitWalk(page, before + 1);
  const B = listed.latent[0].index;
  check(
    w1.a === aim.index && w1.b === B,
    `a click on the first latent neighbour sets B = ${w1.b} and walks (${w1.a} -> ${w1.b})`,
  );
  const firstMs = w1.firstMs - w1.askedMs;
  log(
    `first decoded step shown ${firstMs.toFixed(0)} ms after the second pick (page clock); all in ${(w1.doneMs - w1.askedMs).toFixed(0)} ms`,
  );
  check(
    w1.firstMs >= w1.askedMs && firstMs < 1500,
    `the first decoded step shows ${firstMs.toFixed(0)} ms after the second pick (bound 1500 ms)`,
  );
  const ref2 = numpyReference([[aim.index, B]], [aim.index], 'reference_clicked.json', studied);
  for (const name of studied) {
    const got = w1.models.find((m) => m.name === name);
    samePath(got, ref2[name].paths[0], `panel ${name} ${aim.index} -> ${B} (numpy)`);
  }
  for (const space of ['latent', 'kernel']) {
    const want = ref2[model].neighbours[String(aim.index)][space];
    check(
      JSON.stringify(listed[space].map((e) => e.index)) === JSON.stringify(want.map((e) => e[0])) &&
        closeArrays(
          listed[space].map((e) => e.distance),
          want.map((e) => e[1]),
        ),
      `the neighbours panel's ${space} list of ${model} sample ${aim.index} equals numpy's (${listed[space].map((e) => e.index).join(' ')})`,
    );
  }
  check(
    listed.kernelDim === ref2[model].neighbours[String(aim.index)].kernel_dim,
    `the panel's dim_eta = ${listed.kernelDim}`,
  );

  // (b2) While picking, a click on the sample strip's image makes the selected sample an endpoint
  // (picking then waits for B: the click was taken as A's pick).
  await page.evaluate(() => window.strata.showTab('walk'));
  await sleep(300);
  const shown = aim.index; // A stays the walk's A, so the URL below still holds the walk A -> B
  await page.evaluate((i) => window.strata.select(i), shown);
  await click(page, ...center(await rect(page, 'walk_pick')));
  const strip = await page
    .waitForFunction((k) => window.strata.view().rects[k] ?? null, 'strip_clean', { timeout: 20000 })
    .then((h) => h.jsonValue())
    .catch(() => null);
  check(strip !== null, 'the sample strip shows the selected sample');
  if (strip) {
    await click(page, ...center(strip));
    const picked = await page.evaluate(() => window.strata.walkState());
    check(
      picked.picking === 2 && picked.a === shown,
      `a click on the sample strip while picking sets A = ${picked.a} (the selected sample ${shown})`,
    );
  }
  await click(page, ...center(await rect(page, 'walk_pick')));
  check((await page.evaluate(() => window.strata.walkState().picking)) === 0, 'the pick button again stops picking');

  // (c) A class selected and isolated: the points outside it fade (read from the canvas).
  await page.evaluate(() => window.strata.showTab('find'));
  await page.evaluate(() => window.strata.selectClass(3));
  await sleep(400);
  const found = await page.evaluate(() => window.strata.findState());
  check(
    found.find === 'class:3' && found.count > 0 && found.count < n,
    `class 3 selected: ${found.count} of ${n} samples`,
  );
  const plot = await rect(page, 'kpca_plot');
  await page.evaluate(() => window.strata.redrawAll());
  await sleep(400);
  const lit = await brightness(page, plot);
  await page.evaluate(() => window.strata.isolate(true));
  await sleep(400);
  await page.evaluate(() => window.strata.redrawAll());
  await sleep(400);
  const faded = await brightness(page, plot);
  log(`kernel-PCA view brightness: ${lit} all, ${faded} isolated`);
  check(
    faded < 0.85 * lit,
    `isolating the selection fades the other points (brightness ${(faded / lit).toFixed(2)} of before)`,
  );

  // A stratum: the members are the samples whose clean triple in the view's model is that one, counted here
  // from the results.
  const clean0 = (await page.evaluate(() => window.strata.results)).models[0].sets[0];
  const triple = clean0.strata[clean0.strata.length - 1].ranks;
  await page.evaluate((t) => window.strata.selectStratum(t), triple);
  await sleep(300);
  const byStratum = await page.evaluate(() => window.strata.findState());
  const wantMembers = clean0.ranks.flatMap((r, i) => (JSON.stringify(r) === JSON.stringify(triple) ? [i] : []));
  check(
    JSON.stringify(byStratum.members) === JSON.stringify(wantMembers),
    `stratum ${JSON.stringify(triple)} of ${studied[0]} selects its ${wantMembers.length} clean samples`,
  );
  await page.evaluate(() => window.strata.selectClass(3));
  await sleep(300);

  // (d) The URL holds the selection and the walk: a fresh page shows the same.
  const url = page.url();
  check(
    /find=class%3A3|find=class:3/.test(url) && /isolate=1/.test(url) && /walk=\d+(%2C|,)\d+/.test(url),
    `the URL keeps find, isolate and walk (${url.split('?')[1]})`,
  );
  await screenshots(page);
  const fresh = await browser.context.newPage();
  const freshErrors = [];
  fresh.on('pageerror', (e) => freshErrors.push(e.message));
  await fresh.goto(url);
  await fresh.waitForFunction(() => window.strata !== undefined, null, { timeout: 30000 });
  await fresh.evaluate(() => window.strata.ready.then(() => true));
  const w2 = await waitWalk(fresh, 1);
  const f2 = await fresh.evaluate(() => window.strata.findState());
  check(
    w2.a === w1.a &&
      w2.b === w1.b &&
      w2.models.every(
        (m, i) =>
          JSON.stringify(m.ranks) === JSON.stringify(w1.models[i].ranks) &&
          closeArrays(m.distance, w1.models[i].distance) &&
          m.decoded === STEPS,
      ),
    `the link opened in a fresh page walks ${w2.a} -> ${w2.b} with the same triples and distances`,
  );
  check(
    f2.find === found.find && f2.isolate && f2.count === found.count,
    `the link selects the same ${f2.count} samples, isolated`,
  );
  check(!freshErrors.length, `no errors in the fresh page (${freshErrors.join(' | ')})`);
  await fresh.close();
}

// Screenshots of each tab of the panel and of the path in the kernel-PCA view (docs/explorer.md).
async function screenshots(page) {
  const panel = (await page.evaluate(() => window.strata.panels())).find((p) => p.title === 'Find, neighbours, walk');
  const view = (await page.evaluate(() => window.strata.panels())).find((p) => p.title === 'Kernel-PCA view');
  for (const tab of ['find', 'neighbours', 'walk']) {
    await page.evaluate((t) => window.strata.showTab(t), tab);
    await sleep(500);
    await page.screenshot({
      path: path.join(out, `panel-${tab}.png`),
      clip: { x: panel.x, y: panel.y, width: panel.w, height: panel.h },
    });
  }
  await page.screenshot({
    path: path.join(out, 'view-walk.png'),
    clip: { x: view.x, y: view.y, width: view.w, height: view.h },
  });
}

runTest('browser-walk-test', main, 'browser walk test passed');
