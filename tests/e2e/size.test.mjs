// The site's first load stays within its budget: the page's wasm and JS, gzipped, at most 400,000 bytes.
// The model's worker loads after the first render and is reported beside it, not counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FIRST_LOAD_BUDGET, siteSizes } from './support.mjs';

test('the first load is within 400 KB gzipped, the worker loading after it', () => {
  const { firstLoad, worker } = siteSizes();
  console.log(`first load ${firstLoad.gzip} bytes gzipped (${firstLoad.brotli} brotli) of ${FIRST_LOAD_BUDGET}; ` +
    `worker ${worker.gzip} gzipped (${worker.brotli} brotli)`);
  // The page's wasm, its JS glue and the one-line snippet that imports the clip recorder when asked; the
  // recorder itself (record-clip.js) is not part of it.
  assert.deepEqual(firstLoad.files.map((f) => f.replace(/-[0-9a-f]+/g, '')).sort(),
    ['kplay-web.js', 'kplay-web_bg.wasm', 'snippets/kplay-web/inline0.js']);
  assert.ok(firstLoad.gzip <= FIRST_LOAD_BUDGET, `${firstLoad.gzip} bytes gzipped`);
  assert.deepEqual(worker.files.sort(), ['kplay-worker.js', 'kplay-worker_bg.wasm', 'kplay-worker_loader.js']);
});
