// Frames per second and the longest main-thread task while a preset runs in the playground at 1000×,
// in headless Chromium. Prints JSON; used by scripts/bench.sh, not a test.
import { launchChromium, openPage, serveDist } from '../e2e/support.mjs';

const preset = process.argv[2] ?? 'black-friday';
const seconds = Number(process.argv[3] ?? 5);
const site = await serveDist();
const browser = await launchChromium();
try {
  const page = await openPage(browser, site.url);
  await page.getByTestId('preset-select').selectOption(preset);
  await page.getByTestId('speed').selectOption('1000');
  await page.evaluate(() => {
    // Frames and long tasks are counted only while the run is in progress.
    window.kplayBench = { frames: 0, tasks: [], started: 0, ended: 0 };
    const running = () => /^(running|finishing)/.test(document.querySelector('[data-testid=run-status]').textContent);
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.kplayBench.tasks.push([Math.round(entry.startTime), Math.round(entry.duration)]);
    }).observe({ type: 'longtask', buffered: false });
    const count = (t) => {
      const b = window.kplayBench;
      if (running()) {
        if (!b.started) b.started = t;
        b.frames += 1;
        b.ended = t;
      }
      requestAnimationFrame(count);
    };
    requestAnimationFrame(count);
  });
  const clicked = await page.evaluate(() => performance.now());
  await page.getByTestId('run-toggle').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=run-status]').textContent.startsWith('finished'),
    null, { timeout: seconds * 60_000 });
  const b = await page.evaluate(() => window.kplayBench);
  const during = b.tasks.filter(([start]) => start >= b.started && start <= b.ended);
  const elapsed = (b.ended - b.started) / 1000;
  console.log(JSON.stringify({
    preset,
    run_seconds: Math.round(elapsed * 100) / 100,
    fps: Math.round((b.frames / Math.max(elapsed, 1e-9)) * 10) / 10,
    long_tasks_during_run: during.length,
    long_task_offsets_ms: during.map(([start, d]) => [start - b.started, d]),
    longest_task_during_run_ms: Math.max(0, ...during.map(([, d]) => d)),
    long_tasks_outside_run: b.tasks.filter(([start]) => start < b.started || start > b.ended)
      .map(([start, d]) => ({ at_ms_after_click: Math.round(start - clicked), duration_ms: d })),
  }));
} finally {
  await browser.close();
  await site.close();
}
