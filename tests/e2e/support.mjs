// Shared pieces of the end-to-end tests: a static server for dist/, headless Chromium, and the kplay CLI.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

import { after, before } from 'node:test';

import { chromium } from 'playwright-core';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const DIST = join(ROOT, 'dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves a built site (dist/ by default) on 127.0.0.1 at a free port under `prefix` (a path ending in /)
 * like any static file server; resolves to { url, close } with `url` the site's root.
 */
export async function serveDist({ dir = DIST, prefix = '/' } = {}) {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html is missing: run \`trunk build --release --offline\` first`);
  }
  const server = createServer((request, response) => {
    const requested = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    if (!requested.startsWith(prefix)) {
      response.writeHead(404).end('not found');
      return;
    }
    const path = normalize(`/${requested.slice(prefix.length)}`);
    let file = join(dir, path);
    if (!file.startsWith(dir)) {
      response.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}${prefix}`, close: () => new Promise((done) => server.close(done)) };
}

/** Headless Debian Chromium with the flags this machine needs (no network beyond loopback, root). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Opens a page that records console errors and uncaught exceptions into `page.problems`. */
export async function openPage(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  // A request the page itself abandons is no problem: leaving a page while the model's worker still loads
  // aborts its download.
  page.on('requestfailed', (request) => {
    if (request.failure()?.errorText !== 'net::ERR_ABORTED') page.problems.push(`request failed: ${request.url()}`);
  });
  await page.goto(url);
  return page;
}

/** Waits until the order flow's run status (`run-status`) matches `pattern` (the page's timeout, or `timeout` ms). */
export function waitForRunStatus(page, pattern, timeout) {
  return page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector('[data-testid=run-status]').textContent),
    pattern.source,
    timeout === undefined ? {} : { timeout },
  );
}

/** Runs the kplay CLI built by cargo; resolves to its stdout, throwing on a non-zero exit. */
export function kplay(args, input = '') {
  const binary = process.env.KPLAY_BIN ?? join(ROOT, 'target', 'debug', 'kplay');
  const result = spawnSync(binary, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`kplay ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/**
 * Serves dist/ and launches Chromium once for the calling test file (node:test before/after hooks);
 * returns an object whose `site` and `browser` are set once the hooks have run.
 */
export function useSiteAndBrowser() {
  const shared = { site: undefined, browser: undefined };
  before(async () => {
    shared.site = await serveDist();
    shared.browser = await launchChromium();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.site?.close();
  });
  return shared;
}

/** The site's download budget: what the first view needs (wasm + JS), gzipped. */
export const FIRST_LOAD_BUDGET = 400_000;

/**
 * The sizes of a built site: `firstLoad`, the landing build's script, wasm and the snippets its script
 * imports (what index.html's loader fetches before the first render); `full`, the full app's build and
 * its snippets, which the landing page loads when another view is opened (the snippets it has already) and
 * an address only the full app shows (a concept page, a lesson, another view) loads first; and `worker`, the model's worker the page starts
 * after its first render. Each is { files, bytes, gzip, brotli }, gzip at level 9 and brotli at quality
 * 11, as a static host would serve them.
 */
export function siteSizes(dir = DIST) {
  const index = readFileSync(join(dir, 'index.html'), 'utf8');
  // Trunk.toml's pattern_script: the landing build's files, as the loader finds them.
  const named = /window\.kplayPage = \{ base: '([^']*)', landing: \{ js: '([^']+)', wasm: '([^']+)' \} \}/.exec(index);
  if (!named) throw new Error(`${dir}/index.html names no landing build (window.kplayPage): build it with trunk`);
  const base = named[1];
  const inDist = (path) => path.slice(base.length);
  const imports = (script) => [...readFileSync(join(dir, script), 'utf8').matchAll(/from ["']\.\/(snippets\/[^"']+)["']/g)]
    .map((m) => m[1]);
  const glue = inDist(named[2]);
  const measure = (files) => {
    const sum = { files, bytes: 0, gzip: 0, brotli: 0 };
    for (const file of files) {
      const data = readFileSync(join(dir, file));
      sum.bytes += data.length;
      sum.gzip += gzipSync(data, { level: 9 }).length;
      sum.brotli += brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    }
    return sum;
  };
  const worker = readdirSync(dir).filter((f) => f.startsWith('kplay-worker') && /\.(js|wasm)$/.test(f));
  return {
    firstLoad: measure([glue, inDist(named[3]), ...new Set(imports(glue))]),
    full: measure(['kplay-full.js', 'kplay-full_bg.wasm', ...new Set(imports('kplay-full.js'))]),
    worker: measure(worker),
  };
}
