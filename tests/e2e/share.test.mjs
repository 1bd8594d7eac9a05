// Keeping and sharing work: links that reproduce a run, scenario files shared with the CLI, the autosave,
// results and chart exports, the Kafka commands, and what happens with garbage in the address or storage.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { ROOT, kplay, openPage, useSiteAndBrowser, waitForRunStatus } from './support.mjs';

const shared = useSiteAndBrowser();
const OUT = join(ROOT, 'target', 'e2e');
mkdirSync(OUT, { recursive: true });

async function finish(page) {
  await page.getByTestId('finish').click();
  await waitForRunStatus(page, /^finished/, 120_000);
}

const headlines = async (page) => [await page.getByTestId('headline-sync-ms').textContent(),
  await page.getByTestId('headline-event-ms').textContent(),
  await page.getByTestId('sync-failed').textContent(), await page.getByTestId('event-accepted').textContent()];

async function edit(page, id, value) {
  const field = page.getByTestId(id);
  await field.fill(value);
  await field.blur();
  await page.waitForFunction(([i, v]) => document.querySelector(`[data-testid=${i}]`).value === v, [id, value]);
}

async function download(page, id) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
  const path = join(OUT, file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), bytes: readFileSync(path), path };
}

test('a copied link opens the same scenario in a fresh page and reproduces the run number for number', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('preset-select').selectOption('inventory-outage');
  await edit(page, 'rate-input', '55');
  await edit(page, 'partitions-input', '12');
  await finish(page);
  const numbers = await headlines(page);
  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('share-link').inputValue();
  // The link carries the moment too: the run's end, where it stands.
  assert.match(link, /\?view=sync-vs-event&s=1\.[A-Za-z0-9_-]+&at=\d+$/);
  assert.equal(page.url(), link, 'the address follows the controls');

  const fresh = await openPage(shared.browser, link);
  assert.equal(await fresh.getByTestId('preset-select').inputValue(), 'inventory-outage');
  assert.equal(await fresh.getByTestId('rate-input').inputValue(), '55');
  assert.equal(await fresh.getByTestId('partitions-input').inputValue(), '12');
  await finish(fresh);
  assert.deepEqual(await headlines(fresh), numbers);
  assert.deepEqual([...page.problems, ...fresh.problems], []);
  await page.close();
  await fresh.close();
});

test('an exported scenario runs in the CLI with the same numbers and imports back', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('preset-select').selectOption('black-friday');
  await edit(page, 'rate-input', '1500');
  const scenario = await download(page, 'export-scenario');
  assert.equal(scenario.name, 'black-friday.json');
  await finish(page);
  const cli = JSON.parse(kplay(['simulate', scenario.path]));
  const shown = async (id) => Number((await page.getByTestId(id).textContent()).replace(/[^\d.]/g, ''));
  assert.ok(Math.abs((await shown('headline-sync-ms')) - cli.sync.response_ms.mean) <= 0.05);
  // Results as JSON are the CLI's report; the series CSV has a row per window.
  const results = await download(page, 'export-results-json');
  assert.deepEqual(JSON.parse(results.bytes.toString()), cli);
  const csv = (await download(page, 'export-results-csv')).bytes.toString().trim().split('\n');
  assert.equal(csv.length, cli.series.points.length + 1);
  assert.match(csv[0], /^t_ms,sync_p50_ms,/);
  const png = await download(page, 'latency-chart-png');
  assert.equal(png.name, 'kplay-latency-chart.png');
  assert.deepEqual([...png.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

  const fresh = await openPage(shared.browser, shared.site.url);
  await fresh.getByTestId('import-scenario').setInputFiles(scenario.path);
  await fresh.waitForFunction(() => document.querySelector('[data-testid=rate-input]').value === '1500');
  assert.equal(await fresh.getByTestId('preset-select').inputValue(), 'black-friday');
  // A file that is not a scenario is refused with a message; the scenario stays.
  const bad = join(OUT, 'not-a-scenario.json');
  writeFileSync(bad, '{"seed": "soon"}');
  await fresh.getByTestId('import-scenario').setInputFiles(bad);
  await fresh.getByTestId('error-banner').waitFor();
  assert.match(await fresh.getByTestId('error-banner').textContent(), /not-a-scenario\.json was not imported: invalid type/);
  assert.equal(await fresh.getByTestId('rate-input').inputValue(), '1500');
  assert.deepEqual([...page.problems, ...fresh.problems], []);
  await page.close();
  await fresh.close();
});

test('the scenario as Kafka commands is what `kplay kafka` prints', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await edit(page, 'partitions-input', '9');
  const scenario = await download(page, 'export-scenario');
  await page.getByTestId('kafka-toggle').click();
  const shown = await page.getByTestId('kafka-commands').textContent();
  assert.equal(shown, kplay(['kafka', scenario.path]));
  assert.match(shown, /--partitions 9 --replication-factor 3/);
  const script = await download(page, 'export-kafka');
  assert.equal(script.bytes.toString(), shown);
  await page.close();
});

test('a reload keeps the autosaved scenario; garbage in storage or the address is reported, not fatal', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('preset-select').selectOption('poison-message');
  await edit(page, 'rate-input', '33');
  await page.goto(shared.site.url); // no scenario in the address: the autosave restores it
  await page.getByTestId('rate-input').waitFor();
  assert.equal(await page.getByTestId('rate-input').inputValue(), '33');
  assert.equal(await page.getByTestId('preset-select').inputValue(), 'poison-message');

  await page.evaluate(() => localStorage.setItem('kplay.scenario', '{"version": 1, "seed": tru'));
  await page.goto(shared.site.url);
  await page.getByTestId('startup-notice').waitFor();
  assert.match(await page.getByTestId('startup-notice').textContent(), /autosaved scenario could not be read .* discarded/);
  assert.equal(await page.getByTestId('preset-select').inputValue(), 'sync-vs-async');
  assert.notEqual(await page.evaluate(() => localStorage.getItem('kplay.scenario')), '{"version": 1, "seed": tru');

  for (const garbage of ['?s=1.bm90IGRlZmxhdGU', '?s=9.xyz', '?s=%ZZ&view=nowhere', '?preset=nope']) {
    await page.goto(shared.site.url + garbage);
    await page.getByTestId('startup-notice').first().waitFor();
    // The app is usable: the default scenario runs.
    await page.getByTestId('step').click();
    await waitForRunStatus(page, /^paused/);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a browser that blocks local storage still gets a working playground', async () => {
  const page = await shared.browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      get() { throw new DOMException('The operation is insecure.', 'SecurityError'); },
    });
  });
  await page.goto(shared.site.url);
  await page.getByTestId('step').click();
  await waitForRunStatus(page, /^paused/);
  await page.getByTestId('theme-toggle').click();
  await edit(page, 'rate-input', '33');
  await waitForRunStatus(page, /^ready/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('embedding shows one view with minimal chrome; an unknown view shows a message and the full app', async () => {
  const page = await openPage(shared.browser, `${shared.site.url}?embed=dashboard&controls=play&preset=poison-message`);
  await page.getByTestId('heatmap-chart').waitFor();
  assert.equal(await page.getByTestId('view-partitions').count(), 0, 'no navigation');
  assert.equal(await page.getByTestId('preset-select').count(), 0, 'play only');
  assert.equal(await page.getByTestId('rate-input').count(), 0, 'play only');
  const open = await page.getByTestId('open-in-kplay').getAttribute('href');
  assert.match(open, /\?view=dashboard&s=1\./);
  await page.getByTestId('speed').selectOption('1000');
  await page.getByTestId('run-toggle').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=alert-dlq]').dataset.firing === 'true',
    null, { timeout: 60_000 });
  await page.goto(open);
  await page.getByTestId('view-partitions').waitFor();
  assert.equal(await page.getByTestId('preset-select').inputValue(), 'poison-message');

  for (const view of ['sync-vs-event', 'partitions', 'retention', 'replication']) {
    await page.goto(`${shared.site.url}?embed=${view}`);
    await page.getByTestId('open-in-kplay').waitFor();
    assert.equal(await page.getByTestId('view-dashboard').count(), 0, view);
  }
  await page.goto(`${shared.site.url}?embed=kitchen-sink`);
  await page.getByTestId('startup-notice').waitFor();
  assert.match(await page.getByTestId('startup-notice').textContent(), /Cannot embed "kitchen-sink"/);
  await page.getByTestId('view-dashboard').waitFor();
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the dashboard shows the run kplay simulate reports, with alerts and per-partition lag', async () => {
  const expected = JSON.parse(kplay(['simulate', '--preset', 'poison-message']));
  const page = await openPage(shared.browser, shared.site.url);
  await page.getByTestId('preset-select').selectOption('poison-message');
  await page.getByTestId('view-dashboard').click();
  await page.getByTestId('heatmap-chart').waitFor();
  await finish(page);
  const dead = Object.values(expected.event_driven.services).reduce((sum, s) => sum + s.dead_lettered, 0);
  assert.ok(dead > 0);
  assert.equal(await page.getByTestId('dash-dlq').textContent(), `${dead} records`);
  assert.equal(await page.getByTestId('alert-dlq').getAttribute('data-firing'), 'true');
  assert.equal(await page.getByTestId('dash-lag').textContent(), '0 records', 'drained at the end');
  // Raising the threshold above the count silences the alert.
  await page.getByTestId('threshold-dlq').fill(String(dead));
  await page.getByTestId('threshold-dlq').blur();
  await page.waitForFunction(() => document.querySelector('[data-testid=alert-dlq]').dataset.firing === 'false');
  for (const id of ['heatmap-chart', 'lag-chart', 'throughput-chart']) {
    const ink = await page.getByTestId(id).evaluate((canvas) => {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
      return painted;
    });
    assert.ok(ink > 1000, `${id} is drawn (${ink} pixels)`);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the theme button forces light or dark and the choice survives a reload', async () => {
  const page = await openPage(shared.browser, shared.site.url);
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme ?? 'auto');
  const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  assert.equal(await theme(), 'auto');
  await page.getByTestId('theme-toggle').click();
  assert.equal(await theme(), 'light');
  const light = await background();
  await page.getByTestId('theme-toggle').click();
  assert.equal(await theme(), 'dark');
  assert.notEqual(await background(), light);
  await page.reload();
  await page.getByTestId('theme-toggle').waitFor();
  assert.equal(await theme(), 'dark');
  await page.close();
});
