// Runs a preset inside the built site's model worker (kplay-worker) in headless Chromium and prints
// simulated events per second as JSON: {"preset": ..., "wasm_events_per_s": ...}. Used by scripts/bench.sh;
// not a test.
import { launchChromium, openPage, serveDist } from '../e2e/support.mjs';

const preset = process.argv[2] ?? 'black-friday';
const runs = Number(process.argv[3] ?? 3);
const site = await serveDist();
const browser = await launchChromium();
try {
  const page = await openPage(browser, site.url);
  await page.getByTestId('preset-select').waitFor();
  // A worker of its own, spoken to as the page does (crates/worker/src/protocol.rs): JSON requests, replies
  // as postcard bytes. The first reply is `Ready` (variant 0); `Bench` is variant 3 followed by its f64,
  // little-endian (a test in protocol.rs pins these bytes).
  const rates = await page.evaluate(async ({ name, runs }) => {
    const worker = new Worker('kplay-worker_loader.js');
    const replies = [];
    let wake = () => {};
    worker.onmessage = (event) => { replies.push(new Uint8Array(event.data)); wake(); };
    const next = async () => {
      while (replies.length === 0) await new Promise((resolve) => { wake = resolve; });
      return replies.shift();
    };
    if ((await next())[0] !== 0) throw new Error('the worker did not say it was ready');
    const rates = [];
    for (let i = 0; i < runs; i++) {
      worker.postMessage(JSON.stringify({ kind: 'bench', preset: name }));
      const reply = await next();
      if (reply[0] !== 3) throw new Error(`bench ${name} failed: ${new TextDecoder().decode(reply.slice(2))}`);
      rates.push(new DataView(reply.buffer, reply.byteOffset + 1, 8).getFloat64(0, true));
    }
    worker.terminate();
    return rates;
  }, { name: preset, runs });
  // The best of a few runs: the first pays for the JIT tiering up.
  console.log(JSON.stringify({ preset, wasm_events_per_s: Math.round(Math.max(...rates)) }));
  if (page.problems.length > 0) throw new Error(page.problems.join('\n'));
} finally {
  await browser.close();
  await site.close();
}
