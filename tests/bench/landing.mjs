// Landing on moments of a 10,000-action world in the browser: the partition view opens the landing
// benchmark's script (`kplay bench --landing-script`, the one `kplay bench` lands on natively) from the
// autosave, then the timeline is moved to 100 moments in a shuffled order; each landing is timed from the
// input to the moment drawn, and main-thread tasks over 50 ms are counted. Prints JSON; used by
// scripts/bench.sh, not a test.
import { kplay, launchChromium, openPage, serveDist } from '../e2e/support.mjs';

const landings = Number(process.argv[2] ?? 100);
const script = kplay(['bench', '--landing-script']).trim();
const end = JSON.parse(script).actions.at(-1).at_ms;
// Moments on a 100-ms grid (the timeline's step), in a fixed shuffled order, none twice in a row.
const moments = [];
for (let i = 0, x = 7; i < landings; i++) {
  x = (x * 48271) % 2147483647;
  moments.push(Math.floor((end * (((i * 37) % landings) + 0.5)) / landings / 100) * 100);
}
const site = await serveDist();
const browser = await launchChromium();
try {
  const page = await openPage(browser, site.url);
  await page.evaluate((s) => {
    localStorage.setItem('kplay.world.partitions', s);
    localStorage.setItem('kplay.world.partitions.at', '0');
  }, script);
  const openStart = Date.now();
  await page.goto(`${site.url}?view=partitions`);
  const actions = JSON.parse(script).actions.length;
  await page.waitForFunction((n) => document.querySelector('[data-testid=moment]')?.textContent.includes(`${n} action`), actions, { timeout: 120_000 });
  const openMs = Date.now() - openStart;
  const result = await page.evaluate(async (moments) => {
    const tasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: false });
    const input = document.querySelector('[data-testid=timeline]');
    const moment = document.querySelector('[data-testid=moment]');
    const times = [];
    for (const ms of moments) {
      const expected = `${Math.floor(ms / 1000)}.${Math.floor((ms % 1000) / 100)} s of`;
      const start = performance.now();
      input.value = String(ms);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((resolve) => {
        const check = () => (document.querySelector('[data-testid=moment]') ?? moment).textContent.startsWith(expected)
          ? resolve() : requestAnimationFrame(check);
        check();
      });
      times.push(performance.now() - start);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { times, tasks };
  }, moments);
  const mean = result.times.reduce((a, b) => a + b, 0) / result.times.length;
  console.log(JSON.stringify({
    actions,
    open_ms: openMs,
    landings: result.times.length,
    land_mean_ms: Number(mean.toFixed(1)),
    land_max_ms: Number(Math.max(...result.times).toFixed(1)),
    long_tasks: result.tasks.length,
    longest_task_ms: Math.round(Math.max(0, ...result.tasks)),
  }));
  if (page.problems.length > 0) throw new Error(page.problems.join('\n'));
} finally {
  await browser.close();
  await site.close();
}
