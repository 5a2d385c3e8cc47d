// images.test.mjs: images from anywhere and an RGB model, published and dropped, against the CLI.
//
// Index: 1. arguments  2. the files: a PNG folder with classes, the models  3. the published site
//        and its reference  4. the page on it  5. the folder dropped on the page, against
//        `strata characterize --images FOLDER`
//
// The images are the sample's first N Fashion-MNIST images made into RGB PNGs of 40 x 36 pixels
// (tinted by class, padded), in one sub-folder per class, as a user's ImageFolder would be. The
// models: `rgb` (an RGB 3 x 32 x 32 encoder and decoder with a fixed batch of 1 and tensor names of
// their own, as torch.onnx.export writes by default: tests/browser/plan_models.py; SKIPPED without
// Python's onnx) and a copy of the shipped `sparse` (1 x 28 x 28). `strata publish` writes the
// sample at the first model's input (a uint8 .npy with IDX labels and the class names); the page
// converts it to each model's input with the core, as `strata characterize` does, and the two
// must agree field by field (parity.mjs): the same pixels, hence the same latents and geometry.
import fs from 'node:fs';
import path from 'node:path';
import {
  arg,
  characterizeSite,
  check,
  launchChromium,
  log,
  openExplorer,
  planModelFiles,
  png,
  PYTHON,
  runStrata,
  runTest,
  screenshotOnFailure,
  startServer,
  stopAll,
  testArgs,
} from './harness.mjs';
import { compareStudies } from './parity.mjs';

// 1. Arguments --------------------------------------------------------------------------------------------
const { site: page, out, n, chromiumPath } = testArgs('browser_images-test', 48);
const strata = arg('strata', '');
const SKIP = 77;
const CLASSES = ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Boot'];

// 2. The files ----------------------------------------------------------------------------------------------
// The first `count` sample images as RGB PNGs of 40 x 36: each 28 x 28 image tinted by its class on
// a dark canvas, under FOLDER/<class>/<index>.png, beside a text file the readers must ignore.
function pngFolder(dir, count) {
  const manifest = JSON.parse(fs.readFileSync(path.join(page, 'models', 'manifest.json'), 'utf8'));
  const idx = fs.readFileSync(path.join(page, 'models', manifest.sample.images.path));
  const labels = fs.readFileSync(path.join(page, 'models', manifest.sample.labels.path));
  fs.rmSync(dir, { recursive: true, force: true });
  const W = 40,
    H = 36;
  for (let i = 0; i < count; i++) {
    const label = labels[8 + i];
    const tint = [1, 0.5 + 0.05 * label, 1 - 0.08 * label];
    const rgb = new Uint8Array(W * H * 3).fill(12);
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const v = idx[16 + i * 784 + y * 28 + x];
        for (let c = 0; c < 3; c++) rgb[((y + 4) * W + x + 6) * 3 + c] = Math.round(v * tint[c]);
      }
    const sub = path.join(dir, CLASSES[label]);
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `${String(i).padStart(4, '0')}.png`), png(W, H, 3, rgb));
  }
  fs.writeFileSync(path.join(dir, 'README.txt'), 'not an image: ignored\n');
}

// models/rgb (an RGB encoder/decoder pair, fixed batch 1, names of its own) and models/sparse (a
// copy of the shipped one); null without onnx.
function modelsFolder(dir) {
  const made = path.join(out, 'plan-files');
  if (!planModelFiles(page, made)) return null;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(path.join(made, 'rgb1'), path.join(dir, 'rgb'), { recursive: true });
  fs.cpSync(path.join(page, 'models', 'sparse'), path.join(dir, 'sparse'), { recursive: true, dereference: true });
  return dir;
}

async function onSite(site, query, body) {
  const server = await startServer(site, ['--plain']);
  let browser, tab;
  try {
    browser = await launchChromium(chromiumPath);
    let consoleErrors;
    ({ page: tab, consoleErrors } = await openExplorer(browser, `${server.url}${query}`));
    await tab.evaluate(() => window.strata.ready);
    await body(tab);
    check(consoleErrors.length === 0, `no console error ${consoleErrors.slice(0, 3).join(' | ')}`);
  } catch (e) {
    await screenshotOnFailure(tab, path.join(out, 'images-failure.png'));
    throw e;
  } finally {
    await stopAll(server, browser);
  }
}

function parity(what, results, reference) {
  const diffs = compareStudies(results, reference);
  for (const d of diffs.slice(0, 15)) log(`  parity: ${d}`);
  check(
    diffs.length === 0,
    `${what}: the page equals strata characterize, field by field (${results.models.length} models)`,
  );
}

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const folder = path.join(out, 'my-images');
  pngFolder(folder, n);
  const models = modelsFolder(path.join(out, 'my-models'));
  if (!models) {
    log(`SKIPPED: ${PYTHON} cannot import onnx (Debian: python3-onnx), needed to make the RGB model`);
    process.exit(SKIP);
  }
  // 3. The published site and its reference.
  const site = path.join(out, 'site');
  runStrata(strata, [
    'publish',
    '--models',
    models,
    '--out',
    site,
    '--images',
    folder,
    '--n',
    String(n),
    '--page',
    page,
  ]);
  const manifest = JSON.parse(fs.readFileSync(path.join(site, 'models', 'manifest.json'), 'utf8'));
  const sample = manifest.sample;
  const usedClasses = [...new Set(fs.readdirSync(folder).filter((f) => !f.endsWith('.txt')))].sort();
  check(
    sample.images.path === 'sample/images.npy' &&
      sample.labels?.path === 'sample/labels-idx1-ubyte' &&
      JSON.stringify(sample.classes) === JSON.stringify(usedClasses),
    `the sample is published at rgb's input as .npy, with labels and the folder's classes (${sample.classes})`,
  );
  const npyImages = path.join(site, 'models', sample.images.path);
  const reference = characterizeSite(strata, site, n, path.join(out, 'site.json'), [], ['--images', npyImages]);
  const folderReference = characterizeSite(strata, site, n, path.join(out, 'folder.json'), [], ['--images', folder]);

  // 4. The page on the site (plain host: single-threaded).
  await onSite(site, `?n=${n}&models=rgb,sparse`, async (tab) => {
    const results = await tab.evaluate(() => window.strata.results);
    fs.writeFileSync(path.join(out, 'page-site.json'), JSON.stringify(results, null, 1));
    const rgb = results.models.find((m) => m.name === 'rgb');
    check(
      JSON.stringify(rgb?.plan.input) === '[3,32,32]' &&
        rgb.plan.batch === 1 &&
        rgb.plan.input_name === 'image_in' &&
        rgb.plan.latent_output === 'features' &&
        JSON.stringify(rgb.sets[0].shape) === '[64,8,8]' &&
        rgb.sets.every((set) => Number.isFinite(set.psnr_mean)),
      `rgb: RGB 3 x 32 x 32 in, one image per run, its own names, 64 x 8 x 8 latents, PSNR (${JSON.stringify(rgb?.plan)})`,
    );
    parity('the published RGB site', results, reference);

    // 5. The PNG folder chosen as a folder (its classes from the sub-folders, the text file ignored).
    const generation = await tab.evaluate(() => window.strata.generation);
    const count = (await tab.evaluate(() => window.strata.messages)).length;
    await tab.setInputFiles('#drop-folder', folder);
    await tab.waitForFunction((g) => window.strata.generation > g && !window.strata.busy, generation, {
      timeout: 120000,
    });
    const messages = (await tab.evaluate(() => window.strata.messages)).slice(count);
    log(`messages: ${JSON.stringify(messages)}`);
    check(
      messages.some(
        (m) => m.startsWith(`${n} images from my-images replace`) && m.includes(`${usedClasses.length} classes`),
      ) && messages.some((m) => /1 file\(s\) in the dropped folders ignored/.test(m)),
      'the dropped folder: every image used, its classes named, the text file ignored',
    );
    const dropped = await tab.evaluate(() => window.strata.results);
    fs.writeFileSync(path.join(out, 'page-folder.json'), JSON.stringify(dropped, null, 1));
    parity('the dropped PNG folder (decoded and resized by the core, as --images reads it)', dropped, folderReference);
  });
}

runTest(
  'images.test.mjs',
  main,
  'images from anywhere: an RGB model and a PNG folder, published and dropped, as the CLI sees them',
);
