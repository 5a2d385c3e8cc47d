// publish.test.mjs: `strata publish` makes a site that works from an ordinary static host.
//
// Index: 1. arguments  2. the site and its reference  3. the page on it  4. checks on the files
//
// The bundled models are published with a sample of N Fashion-MNIST test images (taken from the
// dataset, not the build's site) into a fresh folder, with the built page (--page). The site is
// served WITHOUT the cross-origin isolation headers (web/serve.mjs --plain), as GitHub Pages or
// any plain web server would: the page runs single-threaded there. Its study must equal
// `strata characterize` on the published files (the parity rule of parity.mjs), and every file
// must match the size and sha256 the manifest gives.
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
  repo,
  runStrata,
  runTest,
  startServer,
  stopAll,
  testArgs,
} from './harness.mjs';
import { compareStudies } from './parity.mjs';

// 1. Arguments -----------------------------------------------------------------------------------------
const { site: page, out, n, chromiumPath } = testArgs('browser_publish-test', 60);
const strata = arg('strata', '');
fs.mkdirSync(out, { recursive: true });

async function main() {
  // 2. The site and the reference --------------------------------------------------------------------------
  const site = path.join(out, 'site');
  const published = runStrata(strata, [
    'publish',
    '--models',
    path.join(repo, 'models'),
    '--out',
    site,
    '--n',
    String(n),
    '--title',
    'Published',
    '--page',
    page,
  ]);
  check(published.stdout.includes(`${n} sample images`), `strata publish: ${published.stdout.trim()}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(site, 'models', 'manifest.json'), 'utf8'));
  const reference = characterizeSite(strata, site, n, path.join(out, 'characterize.json'));

  // 4. Every file the manifest lists has its size and sha256.
  const listed = [
    manifest.sample.images,
    manifest.sample.labels,
    ...manifest.models.flatMap((m) => [m.files.encoder, m.files.decoder].filter(Boolean)),
  ];
  const bad = listed.filter((f) => {
    const bytes = fs.readFileSync(path.join(site, 'models', f.path));
    return bytes.length !== f.bytes || crypto.createHash('sha256').update(bytes).digest('hex') !== f.sha256;
  });
  check(
    bad.length === 0 && listed.length === 2 + 2 * manifest.models.length,
    `every published file has the manifest's size and sha256 (${listed.length} files)`,
  );

  // 3. The page from a plain static host ---------------------------------------------------------------------
  const server = await startServer(site, ['--plain']);
  let browser;
  try {
    browser = await launchChromium(chromiumPath);
    const { page: tab, consoleErrors } = await openExplorer(browser, `${server.url}?n=${n}`);
    const results = await tab.evaluate(() => window.strata.ready.then(() => window.strata.results), null);
    const isolated = await tab.evaluate(() => self.crossOriginIsolated);
    check(!isolated, 'served without isolation headers: the page runs single-threaded');
    const names = results.models.map((m) => m.name);
    check(
      names.join() === manifest.models.map((m) => m.name).join(),
      `the page studies the published models (${names.join(', ')})`,
    );
    const diffs = compareStudies(results, {
      ...reference,
      models: reference.models.filter((m) => names.includes(m.name)),
    });
    for (const d of diffs.slice(0, 15)) log(`  parity: ${d}`);
    check(
      diffs.length === 0,
      `parity with strata characterize on the published files (${names.length} models, N = ${n})`,
    );
    check(consoleErrors.length === 0, `no console error ${consoleErrors.slice(0, 3).join(' | ')}`);
  } finally {
    await stopAll(server, browser);
  }
}

runTest('publish.test.mjs', main, 'strata publish: the site works from a plain static host, with the same numbers');
