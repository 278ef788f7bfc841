// End-to-end test of the review station in a real browser: Debian's Chromium, headless,
// driven by playwright-core. Started by review_station.sh, which prepares a store from a
// generated scan (with its ground truth) and runs `formscan serve`.
//
//   node review_station.e2e.mjs BASE_URL TRUTH.jsonl NPM_DIR
//
// A reviewer signs in and corrects fields with the keyboard alone, from the crop, until a
// record turns ok; a rule failure is shown and fixed; the reviewer cannot reach the admin
// page or API; a change without the CSRF token is refused; an admin manages users.
// Prints the keystrokes per corrected field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const [base, truthPath, npmDir] = process.argv.slice(2);
const require = createRequire(resolve(npmDir, 'package.json'));
const { chromium } = require('playwright-core');

// truth: "source|page|row" -> fields, values as the review page shows them
const truth = new Map();
for (const line of readFileSync(truthPath, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const r = JSON.parse(line);
  const fields = {};
  for (const [key, f] of Object.entries(r.fields)) {
    fields[key] = f.value === true ? '√' : f.value === false ? '' : Array.isArray(f.value) ? f.value.join('、') : String(f.value);
  }
  truth.set(`${r.source.split('/').pop()}|${r.page + 1}|${r.row}`, fields);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
let failed = false;
try {
  await reviewerCorrectsWithKeyboard();
  await adminManagesUsers();
  console.log('review station e2e: all checks passed');
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

async function signIn(page, name, password) {
  await page.goto(base + '/');
  await page.locator('#name').waitFor({ state: 'visible' });
  // The keyboard alone: the name box has the focus.
  await page.keyboard.type(name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.locator('#who').filter({ hasText: name }).waitFor();
}

async function currentItem(page) {
  await page.waitForFunction(() => !document.getElementById('item').hidden || !document.getElementById('empty').hidden);
  if (await page.locator('#empty').isVisible()) return null;
  const d = await page.locator('#item').evaluate((el) => ({ ...el.dataset }));
  const alternatives = await page.locator('#alternatives li').allTextContents();
  return { ...d, value: await page.locator('#value').inputValue(), alternatives };
}

// Presses keys; returns how many (a chord such as Alt+2 is one key).
async function press(page, keys) {
  for (const k of keys) await page.keyboard.press(k);
  return keys.length;
}

async function ruleFailures(page) {
  return page.locator('#item').evaluate((el) => Number(el.dataset.ruleFailures || 0));
}

async function waitForNext(page, previousId) {
  await page.waitForFunction(
    (prev) => document.getElementById('item').dataset.id !== prev || !document.getElementById('empty').hidden,
    previousId,
  );
}

async function reviewerCorrectsWithKeyboard() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'alice', 'alice-password');

  // A change without the CSRF token is refused, with the reason; with it, it passes.
  const noToken = await page.request.post(base + '/api/items/next');
  assert.equal(noToken.status(), 403);
  assert.match((await noToken.json()).error, /CSRF/);
  const session = await (await page.request.get(base + '/api/session')).json();
  const withToken = await page.request.post(base + '/api/users', {
    headers: { 'X-CSRF-Token': session.csrf },
    data: { name: 'mallory', password: 'mallory-password', role: 'admin' },
  });
  assert.equal(withToken.status(), 403, `a reviewer cannot add users even with the token: ${await withToken.text()}`);

  // The reviewer cannot reach the admin page or its API.
  const adminPage = await context.newPage();
  const adminResponse = await adminPage.goto(base + '/admin.html');
  assert.equal(adminResponse.status(), 403, 'admin.html is refused to a reviewer');
  assert.equal((await page.request.get(base + '/api/users')).status(), 403);
  await adminPage.close();

  // The session cookie is HttpOnly and SameSite=Strict.
  const cookie = (await context.cookies()).find((c) => c.name === 'formscan_session');
  assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', 'session cookie HttpOnly, SameSite=Strict');
  assert.equal(await page.evaluate(() => document.cookie), '', 'the page script cannot read the session cookie');

  const keysPerCorrection = [], kinds = [];
  let ruleShown = false, recordTurnedOk = null, corrections = 0, cropsSeen = 0;
  // REVIEW_ALL=1: the whole queue (to measure keystrokes), not only until a record is ok.
  const all = process.env.REVIEW_ALL === '1';
  // Otherwise until a record is ok and a phone item has shown its rule failure.
  for (let n = 0; n < (all ? 100000 : 200) && (all || !recordTurnedOk || !ruleShown); ++n) {
    const item = await currentItem(page);
    if (!item) break;
    const expected = truth.get(`${item.source}|${item.page}|${item.row}`)?.[item.field];
    assert.notEqual(expected, undefined, `ground truth for ${item.source} page ${item.page} row ${item.row} ${item.field}`);
    // The crop of the scan is on screen, as a real image.
    const cropWidth = await page.locator('#crop').evaluate(async (img) => {
      if (!img.complete) await new Promise((ok) => { img.onload = ok; img.onerror = ok; });
      return img.naturalWidth;
    });
    if (cropWidth > 0) ++cropsSeen;

    let keys = 0;
    if (!ruleShown && item.field === 'phone') {
      // A wrong value breaks the phone rule: shown at once, nothing saved.
      keys += await press(page, ['Control+A', ...'12345'.split(''), 'Enter']);
      await page.locator('#rule-errors').filter({ hasText: 'phone.format' }).waitFor();
      assert.equal(await page.locator('#item').evaluate((el) => el.dataset.id), item.id, 'still the same item');
      ruleShown = true;
      keys += await press(page, ['Control+A']);
      item.value = '12345';
    }
    const failuresBefore = await ruleFailures(page);
    const alternative = item.alternatives.findIndex((t) => t.replace(/^Alt\+\d+: /, '').replace('(空 empty)', '') === expected);
    let kind;
    if (expected === item.value) { kind = 'read right (Enter)'; keys += await press(page, ['Enter']); }
    else if (alternative >= 0) { kind = 'an alternative (Alt+n)'; keys += await press(page, [`Alt+Digit${alternative + 1}`]); }
    else if (expected === '√') { kind = 'tick (F2)'; keys += await press(page, ['F2']); }
    else if (expected === '') { kind = 'empty (F3)'; keys += await press(page, ['F3']); }
    else {
      kind = 'typed';
      // Typed over the selected value (Chinese arrives as an input method's text).
      await page.keyboard.type(expected);
      keys += [...expected].length;
      keys += await press(page, ['Enter']);
    }
    // The true value may still break a rule (what the form says is kept: Shift+Enter).
    // A failure counts only when it is new and this item's (the phone's first failure
    // is still on screen while its true value is saved).
    const outcome = await Promise.race([
      waitForNext(page, item.id).then(() => 'next'),
      page.waitForFunction(([id, before]) => {
        const el = document.getElementById('item');
        return el.dataset.id === id && Number(el.dataset.ruleFailures) > before;
      }, [item.id, failuresBefore]).then(() => 'rule'),
    ]);
    if (outcome === 'rule') {
      keys += await press(page, ['Shift+Enter']);
      await waitForNext(page, item.id);
    }
    keysPerCorrection.push(keys);
    kinds.push(kind);
    ++corrections;
    const status = await page.locator('#status').evaluate((el) => el.dataset.recordStatus);
    if (status === 'ok' && !recordTurnedOk) {
      recordTurnedOk = item;
      await page.locator('#status.ok').filter({ hasText: 'record ok' }).waitFor();
    }
  }
  assert.ok(ruleShown, 'a phone item was met and its rule failure shown');
  assert.ok(recordTurnedOk, `a record turned ok after ${corrections} corrections`);
  assert.equal(cropsSeen, corrections, 'every item showed its crop');

  // The whole page is one key away, with the field marked.
  const item = await currentItem(page);
  if (item) {
    await page.keyboard.press('F4');
    await page.locator('#page-view').waitFor({ state: 'visible' });
    const width = await page.locator('#page-image').evaluate(async (img) => {
      if (!img.complete || !img.naturalWidth) await new Promise((ok) => { img.onload = ok; img.onerror = ok; });
      return img.naturalWidth;
    });
    assert.ok(width > 1000, 'the straightened page is shown');
    await page.keyboard.press('F4');
    await page.locator('#review').waitFor({ state: 'visible' });
  }

  // The record is ok in the store's export, and the correction is audited.
  const exported = await (await page.request.get(base + '/api/export?format=jsonl')).text();
  const row = exported.split('\n').filter(Boolean).map((l) => JSON.parse(l))
    .find((r) => r.source.split('/').pop() === recordTurnedOk.source && r.page + 1 === Number(recordTurnedOk.page) &&
      r.row === Number(recordTurnedOk.row));
  assert.equal(row.status, 'ok', 'the corrected record is ok in the export');
  const expected = truth.get(`${recordTurnedOk.source}|${recordTurnedOk.page}|${recordTurnedOk.row}`);
  const f = row.fields[recordTurnedOk.field];
  const shown = f.value === true ? '√' : f.value === false ? '' : String(f.value);
  assert.equal(shown, expected[recordTurnedOk.field], 'the export holds the corrected value');
  const history = await (await page.request.get(base + `/api/items/${recordTurnedOk.id}/history`)).json();
  assert.equal(history.length, 1);
  assert.equal(history[0].reviewer, 'alice');

  const stats = await (await page.request.get(base + '/api/stats')).json();
  const sorted = [...keysPerCorrection].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const mean = keysPerCorrection.reduce((a, b) => a + b, 0) / keysPerCorrection.length;
  assert.equal(stats.counted_corrections, corrections, 'the page reported the keys of every correction');
  assert.equal(stats.median_keystrokes, median, 'the keys the page counted are the keys pressed');
  const byKind = {};
  keysPerCorrection.forEach((k, i) => { byKind[kinds[i]] = (byKind[kinds[i]] || []).concat(k); });
  console.log(`keystrokes per corrected field: median ${median}, mean ${mean.toFixed(2)}, over ${corrections} corrections ` +
    `(store: median ${stats.median_keystrokes})`);
  for (const [kind, ks] of Object.entries(byKind))
    console.log(`  ${kind}: ${ks.length} fields, mean ${(ks.reduce((a, b) => a + b, 0) / ks.length).toFixed(2)} keys`);

  // Enter pressed twice before the save is answered sends one save, not a second one that
  // would be refused or land on the next item unseen.
  const first = await currentItem(page);
  if (first) {
    const saves = [];
    page.on('request', (r) => { if (r.method() === 'POST' && /\/correct$/.test(r.url())) saves.push(r.url()); });
    let release;
    const held = new Promise((ok) => { release = ok; });
    await page.route('**/api/items/*/correct', async (route) => { await held; await route.continue(); });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    release();
    await waitForNext(page, first.id);
    await page.unroute('**/api/items/*/correct');
    assert.equal(saves.length, 1, 'one save sent for a double Enter');
    const second = await currentItem(page);
    const after = await (await page.request.get(base + '/api/stats')).json();
    assert.equal(after.counted_corrections, stats.counted_corrections + 1, 'a double Enter saved one item');
    if (second) {
      const untouched = await (await page.request.get(base + `/api/items/${second.id}/history`)).json();
      assert.equal(untouched.length, 0, 'the next item is on screen, not saved');
    }
  }
  await context.close();
}

async function adminManagesUsers() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'root', 'root-password');
  await page.locator('#admin-link').waitFor({ state: 'visible' });
  const response = await page.goto(base + '/admin.html');
  assert.equal(response.status(), 200);
  await page.locator('#users tr').first().waitFor();
  await page.locator('#new-name').fill('bob');
  await page.locator('#new-password').fill('bob-password');
  await page.locator('#new-role').selectOption('reviewer');
  await page.keyboard.press('Enter');
  await page.locator('#users td', { hasText: 'bob' }).waitFor();
  await context.close();

  // The new reviewer can sign in; a wrong password cannot.
  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, 'bob', 'bob-password');
  const wrong = await (await browser.newContext()).newPage();
  await wrong.goto(base + '/');
  await wrong.locator('#name').fill('bob');
  await wrong.locator('#password').fill('not-the-password');
  await wrong.keyboard.press('Enter');
  await wrong.locator('#sign-in-error').filter({ hasText: 'wrong' }).waitFor();
}
