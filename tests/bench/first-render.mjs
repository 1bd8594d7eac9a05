// The landing view's first render in headless Chromium (scripts/bench.sh; budget 1.5 s): from navigation
// to the order-flow diagram drawn, with first contentful paint beside it. Served from 127.0.0.1, so this
// is the page's own cost (parsing and compiling the wasm, the first frame), not the network's.
// Usage: node tests/bench/first-render.mjs [runs] (default 5). Prints JSON.
import { launchChromium, openPage, serveDist } from '../e2e/support.mjs';

const runs = Number(process.argv[2] ?? 5);
const site = await serveDist();
const browser = await launchChromium();
try {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const page = await openPage(browser, 'about:blank');
    await page.goto(site.url);
    await page.getByTestId('flow-diagram').waitFor();
    times.push(await page.evaluate(() => {
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      return { drawn_ms: Math.round(performance.now()), first_paint_ms: Math.round(paint?.startTime ?? -1) };
    }));
    await page.close();
  }
  const drawn = times.map((t) => t.drawn_ms).sort((a, b) => a - b);
  console.log(JSON.stringify({ runs, median_drawn_ms: drawn[Math.floor(runs / 2)], max_drawn_ms: drawn[runs - 1], times }));
} finally {
  await browser.close();
  await site.close();
}
