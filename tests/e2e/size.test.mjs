// The site's first load stays within its budget: the landing build's wasm and JS, gzipped, at most
// 400,000 bytes. The full app (every other view, the concept pages, the lessons) loads on demand and the
// model's worker after the first render: both are reported beside it, not counted. loading.test.mjs checks
// in the browser that a visit fetches exactly these files.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FIRST_LOAD_BUDGET, siteSizes } from './support.mjs';

test('the first load is within 400 KB gzipped, the full app and the worker loading after it', () => {
  const { firstLoad, full, worker } = siteSizes();
  console.log(`first load ${firstLoad.gzip} bytes gzipped (${firstLoad.brotli} brotli) of ${FIRST_LOAD_BUDGET}; ` +
    `full app ${full.gzip} gzipped (${full.brotli} brotli); worker ${worker.gzip} gzipped (${worker.brotli} brotli)`);
  // The landing build's wasm, its JS glue and the one-line snippet that imports the clip recorder when
  // asked; the recorder itself (record-clip.js) is not part of it.
  assert.deepEqual(firstLoad.files.map((f) => f.replace(/-[0-9a-f]{8,16}(?=[_./])/g, '')).sort(),
    ['kplay-web.js', 'kplay-web_bg.wasm', 'snippets/kplay-web/inline0.js']);
  assert.ok(firstLoad.gzip <= FIRST_LOAD_BUDGET, `${firstLoad.gzip} bytes gzipped`);
  // A link to a concept page, a lesson or another view loads the full app first: it keeps the budget too.
  assert.deepEqual(full.files.map((f) => f.replace(/-[0-9a-f]{8,16}(?=[_./])/g, '')).sort(),
    ['kplay-full.js', 'kplay-full_bg.wasm', 'snippets/kplay-web/inline0.js']);
  assert.ok(full.gzip <= FIRST_LOAD_BUDGET, `full app: ${full.gzip} bytes gzipped`);
  assert.deepEqual(worker.files.sort(), ['kplay-worker.js', 'kplay-worker_bg.wasm', 'kplay-worker_loader.js']);
});
