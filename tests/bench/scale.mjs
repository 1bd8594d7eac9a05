// Frames per second and the longest main-thread task of the partition view at scale: 1,000 partitions,
// 500 consumers (in each of `groups` groups) and 1,000 keyed records per second, in headless Chromium.
// Usage: node tests/bench/scale.mjs [partitions] [consumers] [seconds] [groups]. Prints JSON; used by
// scripts/bench.sh, not a test.
import { launchChromium, openPage, serveDist } from '../e2e/support.mjs';

const partitions = Number(process.argv[2] ?? 1000);
const consumers = Number(process.argv[3] ?? 500);
const seconds = Number(process.argv[4] ?? 5);
const groups = Number(process.argv[5] ?? 1);
const site = await serveDist();
const browser = await launchChromium();
try {
  const page = await openPage(browser, 'about:blank');
  if (process.env.REDUCED) await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(`${site.url}?view=partitions`);
  const set = async (id, value) => {
    await page.getByTestId(id).fill(String(value));
    await page.getByTestId(id).blur();
  };
  const setupStart = Date.now();
  await set('partition-count', partitions);
  await set('consumers-input', consumers);
  for (let g = 1; g < groups; g++) {
    // The newest group must be in the world before the next is added (a group's name is the first free).
    await page.locator('[data-testid^=group-status-]').nth(g - 1).waitFor();
    await page.getByTestId('add-group').click();
    await page.locator('[data-testid^=group-status-]').nth(g).waitFor({ timeout: 120_000 });
    await set('consumers-input', consumers);
  }
  await set('produce-rate', 1000);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid^=partition-]').length >= n, partitions);
  const setupMs = Date.now() - setupStart;
  const b = await page.evaluate((ms) => new Promise((done) => {
    const result = { frames: 0, tasks: [] };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) result.tasks.push([Math.round(entry.startTime - start), Math.round(entry.duration)]);
    }).observe({ type: 'longtask', buffered: false });
    const start = performance.now();
    const count = (t) => {
      result.frames += 1;
      if (t - start < ms) requestAnimationFrame(count);
      else done({ ...result, elapsed: t - start });
    };
    requestAnimationFrame(count);
  }), seconds * 1000);
  const owned = await page.locator('.partition-grid .cell:not(.none), .lane-owner:not(.none)').count();
  console.log(JSON.stringify({
    partitions,
    consumers,
    groups,
    setup_ms: setupMs,
    fps: Math.round((b.frames / (b.elapsed / 1000)) * 10) / 10,
    long_tasks: b.tasks.length,
    longest_task_ms: Math.max(0, ...b.tasks.map(([, d]) => d)),
    long_task_offsets_ms: b.tasks,
    partitions_with_an_owner: owned,
  }));
} finally {
  await browser.close();
  await site.close();
}
