// The log-and-retention view: a world on a timeline. Retention deletes whole segments at the broker's
// next check, compaction keeps the latest record per key, and every moment can be revisited, forked,
// linked and exported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';

import { kplay, openPage, useSiteAndBrowser } from './support.mjs';

const shared = useSiteAndBrowser();

async function openRetention(url = shared.site.url) {
  const page = await openPage(shared.browser, url);
  await page.getByTestId('view-retention').click();
  await page.getByTestId('log-offsets').waitFor();
  return page;
}

/** Waits until the log's offsets line matches `pattern` and returns it. */
async function offsets(page, pattern) {
  const line = page.getByTestId('log-offsets').filter({ hasText: pattern });
  await line.waitFor();
  return line.textContent();
}

/** The moment shown, in ms, once the reply to the last request is drawn. */
async function moment(page) {
  const text = await page.getByTestId('moment').textContent();
  const [s, tenths] = text.match(/^(\d+)\.(\d) s/).slice(1).map(Number);
  return s * 1000 + tenths * 100;
}

test('retention.ms deletes whole expired segments at the next check; the timeline goes back, forks and undoes', async () => {
  const page = await openRetention();
  await page.getByTestId('timeline-play').click();
  await page.getByTestId('timeline').fill('0');
  await page.getByTestId('moment').filter({ hasText: /^0\.0 s of/ }).waitFor();
  await page.getByTestId('step').click();
  await page.getByTestId('moment').filter({ hasText: /^1\.0 s of/ }).waitFor();
  await page.getByTestId('produce-many').click();
  await offsets(page, /^log start offset 0 · log end offset 10 · 10 record\(s\) in 2 segment\(s\)/);
  for (let i = 0; i < 3; i++) await page.getByTestId('advance-clock').click();
  await page.getByTestId('moment').filter({ hasText: /^91\.0 s of/ }).waitFor();
  // retention.ms is 60 s: the check after 61 s rolled the active segment and deleted both.
  await offsets(page, /^log start offset 10 · log end offset 10 · 0 record\(s\)/);
  await page.getByTestId('produce-many').click();
  await offsets(page, /^log start offset 10 · log end offset 20 · 10 record\(s\)/);

  // Back to 30 s: the records are there again.
  await page.getByTestId('timeline').fill('30000');
  await offsets(page, /^log start offset 0 · log end offset 10 · 10 record\(s\)/);
  // Acting there forks (the records produced at 91 s are set aside): retention.ms -1 keeps everything,
  // and the later moments follow the fork.
  await page.getByTestId('retention-ms-input').fill('-1');
  await page.getByTestId('retention-ms-input').press('Enter');
  await page.getByTestId('fork-notice').filter({ hasText: /the 2 later action\(s\) were set aside/ }).waitFor();
  for (let i = 0; i < 2; i++) await page.getByTestId('advance-clock').click();
  await page.getByTestId('moment').filter({ hasText: /^90\.0 s of/ }).waitFor();
  await offsets(page, /^log start offset 0 · log end offset 10 · 10 record\(s\)/);
  await page.getByTestId('undo-fork').click();
  await page.getByTestId('fork-notice').waitFor({ state: 'detached' });
  await page.getByTestId('timeline').fill('91000');
  await offsets(page, /^log start offset 10 · log end offset 20 · 10 record\(s\)/);

  // A link to 30 s opens the same log in a fresh page; kplay world on its script agrees.
  await page.getByTestId('timeline').fill('30000');
  await offsets(page, /^log start offset 0 /);
  await page.waitForFunction(() => new URL(location.href).searchParams.get('at') === '30000');
  const fresh = await openPage(shared.browser, page.url());
  const shown = await offsets(fresh, /^log start offset 0 · log end offset 10 · 10 record\(s\) in 2 segment\(s\)/);
  assert.equal(await moment(fresh), 30000);
  const [file] = await Promise.all([fresh.waitForEvent('download'), fresh.getByTestId('export-world').click()]);
  const state = JSON.parse(kplay(['world', '-', '--at-ms', '30000'], readFileSync(await file.path(), 'utf8')));
  const p = state.topics.log.partitions[0];
  assert.match(shown, new RegExp(`^log start offset ${p.log_start_offset} · log end offset ${p.log_end_offset} `));
  assert.deepEqual(fresh.problems, []);
  assert.deepEqual(page.problems, []);
  await fresh.close();
  await page.close();
});

test('compaction keeps the latest record per key; keyless records are refused', async () => {
  const page = await openRetention();
  await page.getByTestId('timeline-play').click();
  await page.getByTestId('policy-select').selectOption('compact');
  for (let i = 0; i < 2; i++) await page.getByTestId('produce-many').click();
  await offsets(page, /· 20 record\(s\) in 4 segment\(s\)/);
  await page.getByTestId('retention-key').fill('k1');
  await page.getByTestId('produce-tombstone').click();
  await offsets(page, /· 21 record\(s\)/);
  await page.getByTestId('produce-no-key').click();
  await page.getByTestId('retention-message').filter({ hasText: /INVALID_RECORD/ }).waitFor();
  // The cleaner looks every 5 s: k0–k4 four times each, three copies of each superseded; the tombstone
  // in the active segment stays.
  await page.getByTestId('advance-clock').click();
  await offsets(page, /· 6 record\(s\)/);
  assert.equal(await page.locator('.record.tombstone').count(), 1);
  // Offsets never change: the 15 superseded records leave holes in the log diagram where they were.
  assert.equal(await page.locator('[data-testid=log-diagram] .slot.hole').count(), 21 - 6);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the log view is autosaved: the app opened again without a link shows it where it was', async () => {
  const page = await openRetention();
  await page.getByTestId('timeline-play').click();
  await page.getByTestId('produce-many').click();
  await page.getByTestId('advance-clock').click();
  const shown = await offsets(page, /· 10 record\(s\)/);
  // The view plays on to the end of its timeline (the clock advanced 30 s): read the moment once there.
  await page.waitForFunction(() => {
    const [at, end] = document.querySelector('[data-testid=moment]').textContent.split(' · ')[0].split(' of ');
    return at === end;
  });
  const at = await page.getByTestId('moment').textContent();
  await page.waitForFunction(() => Object.keys(localStorage).includes('kplay.world.retention'));
  await page.goto(new URL(page.url()).origin + new URL(page.url()).pathname);
  await page.getByTestId('view-retention').click();
  assert.equal(await offsets(page, /· 10 record\(s\)/), shown);
  assert.equal((await page.getByTestId('moment').textContent()).split(' of ')[0], at.split(' of ')[0]);
  assert.deepEqual(page.problems, []);
  await page.close();
});
