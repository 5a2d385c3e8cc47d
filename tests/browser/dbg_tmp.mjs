import { launchChromium, openExplorer, startServer, stopAll, sleep, click, center, rect } from './harness.mjs';
const server = await startServer('build/wasm/site');
const browser = await launchChromium();
const { page } = await openExplorer(browser, `${server.url}?n=300`);
await page.evaluate(() => window.strata.ready);
for (const entry of [1, 2, 3]) {
  const gen = await page.evaluate(() => window.strata.generation);
  await click(page, ...center(await rect(page, 'settings_metric')));
  await sleep(300);
  const r = await rect(page, 'settings_metric');
  await click(page, r.x + 20, r.y + r.h * (entry + 1.5));
  await click(page, ...center(await rect(page, 'settings_apply')));
  await page.waitForFunction(() => window.strata.lastEstimate !== null && (window.strata.view().rects.confirm_run !== undefined || window.strata.busy), null, { timeout: 60000 });
  await sleep(500);
  const c = await rect(page, 'confirm_run');
  if (c) await click(page, ...center(c));
  await page.waitForFunction((g) => window.strata.generation > g && !window.strata.busy, gen, { timeout: 1200000 });
  console.log(JSON.stringify(await page.evaluate(() => ({ metric: window.strata.results.settings.geometry.metric, estimate: window.strata.lastEstimate, run: window.strata.lastRun }))));
  await page.evaluate(() => { window.strata.lastEstimate = null; });
}
await stopAll(server, browser);
