// Runs a preset inside the built site's wasm in headless Chromium and prints simulated events per second
// as JSON: {"preset": ..., "wasm_events_per_s": ...}. Used by scripts/bench.sh; not a test.
import { launchChromium, openPage, serveDist } from '../e2e/support.mjs';

const preset = process.argv[2] ?? 'black-friday';
const runs = Number(process.argv[3] ?? 3);
const site = await serveDist();
const browser = await launchChromium();
try {
  const page = await openPage(browser, site.url);
  await page.getByTestId('preset-select').waitFor();
  const rates = [];
  for (let i = 0; i < runs; i++) {
    rates.push(await page.evaluate((name) => window.wasmBindings.bench_preset(name), preset));
  }
  // The best of a few runs: the first pays for the JIT tiering up.
  console.log(JSON.stringify({ preset, wasm_events_per_s: Math.round(Math.max(...rates)) }));
  if (page.problems.length > 0) throw new Error(page.problems.join('\n'));
} finally {
  await browser.close();
  await site.close();
}
