// What the page itself costs while the order flow plays: page layouts, and the main thread's busy share,
// over `seconds` of a preset played at 10× in headless Chromium (Chrome's own counters, read over the
// DevTools protocol). The charts measure text with the canvas, never through the page, so layouts stay
// near one per frame. Prints JSON; used by scripts/bench.sh, not a test.
// Usage: node tests/bench/layout.mjs [preset] [seconds] (default poison-message, 3).
import { launchChromium, openPage, serveDist } from '../e2e/support.mjs';

const preset = process.argv[2] ?? 'poison-message';
const seconds = Number(process.argv[3] ?? 3);
const site = await serveDist();
const browser = await launchChromium();
try {
  const page = await openPage(browser, site.url);
  const devtools = await page.context().newCDPSession(page);
  await devtools.send('Performance.enable');
  await page.getByTestId('preset-select').selectOption(preset);
  await page.getByTestId('speed').selectOption('10');
  const counters = async () => Object.fromEntries(
    (await devtools.send('Performance.getMetrics')).metrics.map(({ name, value }) => [name, value]));
  const before = await counters();
  await page.getByTestId('run-toggle').click();
  await page.waitForTimeout(seconds * 1000);
  const after = await counters();
  const grew = (name) => after[name] - before[name];
  console.log(JSON.stringify({
    preset,
    seconds,
    layouts_per_s: Math.round(grew('LayoutCount') / seconds),
    layout_ms_per_s: Math.round((grew('LayoutDuration') * 1000) / seconds),
    main_thread_busy: Math.round((grew('TaskDuration') / seconds) * 100) / 100,
  }));
  if (page.problems.length > 0) throw new Error(page.problems.join('\n'));
} finally {
  await browser.close();
  await site.close();
}
