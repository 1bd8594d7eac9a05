// The guided lessons in the browser: the list, a lesson walked through answering wrong and right (each
// verdict and the model's answer as `kplay lessons` computes them), progress that survives a reload and a
// damaged progress value that is reported and reset, and an embedded range of steps.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { kplay, openPage, useSiteAndBrowser } from './support.mjs';

const shared = useSiteAndBrowser();

/** The lessons `kplay lessons list` prints: [id, steps]. */
function lessonList() {
  return kplay(['lessons', 'list']).trim().split('\n').map((line) => {
    const [id, steps] = line.split(/\s+/);
    return [id, Number(steps)];
  });
}

/** Checks the prediction and waits for the verdict; returns its text. */
async function check(page) {
  await page.getByTestId('check-prediction').click();
  const result = page.getByTestId('prediction-result');
  await result.waitFor({ timeout: 60_000 });
  return result.textContent();
}

test('the list shows every lesson the CLI checks', async () => {
  const page = await openPage(shared.browser, `${shared.site.url}?lesson=`);
  await page.getByTestId('lesson-index').waitFor({ timeout: 30_000 });
  const ids = await page.locator('[data-testid=lesson-index] [data-testid^=lesson-]')
    .evaluateAll((links) => links.map((a) => a.dataset.testid.slice('lesson-'.length)));
  assert.deepEqual(ids, lessonList().map(([id]) => id));
  assert.ok(ids.length >= 16, `${ids.length} lessons`);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a lesson walked through: wrong and right answers get the model\'s verdict, and progress survives a reload', async () => {
  const page = await openPage(shared.browser, `${shared.site.url}?lesson=consumer-group`);
  const step = page.getByTestId('lesson-step');
  await step.waitFor({ timeout: 30_000 });
  assert.equal(await step.getAttribute('data-step'), '1');
  await page.getByTestId('lesson-widget').waitFor();

  // Step 1, a number: 2 is wrong, 3 is what the model shows.
  await page.getByTestId('prediction').fill('2');
  let verdict = await check(page);
  assert.match(verdict, /^Not quite\. The model: 3\./);
  assert.match(verdict, /billing-1 is alone in the group, so it gets all 3 partitions\./);
  assert.match(verdict, /✓ len\(groups\.billing\.members\) == 1/);
  await page.getByTestId('prediction').fill('3');
  verdict = await check(page);
  assert.match(verdict, /^Right\. The model: 3\./);
  // After the run the widget shows the step's moment.
  assert.match(await page.getByTestId('lesson-widget').getAttribute('src'), /[?&]at=4000$/);

  // Step 2, multiple choice.
  await page.getByTestId('lesson-next').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=lesson-step]').dataset.step === '2');
  const choices = page.getByTestId('prediction').locator('input[type=radio]');
  assert.equal(await choices.count(), 3);
  await choices.nth(0).check();
  verdict = await check(page);
  assert.match(verdict, /^Not quite\. The model: They split them, 2 and 1\./);
  await choices.nth(1).check();
  verdict = await check(page);
  assert.match(verdict, /^Right\./);

  // The step reached survives a reload; Back returns.
  await page.getByTestId('lesson-next').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=lesson-step]').dataset.step === '3');
  await page.reload();
  await page.getByTestId('lesson-step').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('lesson-step').getAttribute('data-step'), '3');
  await page.getByTestId('lesson-back').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=lesson-step]').dataset.step === '2');

  // The list counts the answers right.
  await page.goto(`${shared.site.url}?lesson=`);
  const entry = page.locator('li', { has: page.getByTestId('lesson-consumer-group') });
  await entry.waitFor({ timeout: 30_000 });
  assert.match(await entry.textContent(), /2 answered right/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a damaged progress value is reported and reset', async () => {
  const page = await openPage(shared.browser, `${shared.site.url}?lesson=saga`);
  // Once the lesson shows, the page has saved its progress; damage it only then, or that save would win.
  await page.getByTestId('lesson-step').waitFor({ timeout: 30_000 });
  await page.evaluate(() => localStorage.setItem('kplay.lessons', '{broken'));
  await page.reload();
  const notice = page.getByTestId('lesson-notice');
  await notice.waitFor({ timeout: 30_000 });
  assert.match(await notice.textContent(), /lesson progress could not be read .* was reset/);
  await page.getByTestId('lesson-step').waitFor();
  assert.equal(await page.getByTestId('lesson-step').getAttribute('data-step'), '1');
  assert.equal(await page.evaluate(() => localStorage.getItem('kplay.lessons')), 'saga=0:');
  await page.close();
});

test('an embedded range shows only its steps, with no navigation to the rest', async () => {
  const page = await openPage(shared.browser, `${shared.site.url}?embed=lesson&lesson=replication&from=2&to=3`);
  const step = page.getByTestId('lesson-step');
  await step.waitFor({ timeout: 30_000 });
  assert.equal(await step.getAttribute('data-step'), '2');
  assert.ok(await page.getByTestId('lesson-back').isDisabled());
  assert.equal(await page.getByTestId('lesson-list-link').count(), 0);
  assert.equal(await page.getByTestId('lesson-reset').count(), 0);
  assert.match(await page.getByTestId('lesson-widget').getAttribute('src'), /^\?embed=replication&w=/);
  await page.getByTestId('prediction').fill('2');
  assert.match(await check(page), /^Right\. The model: 2\./);
  await page.getByTestId('lesson-next').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=lesson-step]').dataset.step === '3');
  assert.ok(await page.getByTestId('lesson-next').isDisabled());
  assert.equal(await page.evaluate(() => localStorage.getItem('kplay.lessons')), null);
  assert.deepEqual(page.problems, []);
  await page.close();
});
