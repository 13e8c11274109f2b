// The web dashboard (/app/) as a person uses it (labels web, e2e), in Debian's chromium against
// the live stack of `./gw test`: one browser context per person, real clicks and typing.
// A user registers, signs in, uploads (5 MiB with the upload progress visible; 20 MiB, over
// GW_ASYNC_THRESHOLD, as a task with its task progress), finds the file on Files with the CID
// the reference importer gives the same bytes, downloads identical bytes, unpins and pins,
// deletes (Escape cancels the dialog first), and renews the key (the new one works, the old one
// is api_key_inactive). An administrator, in a second context, signs in with a key, finds the
// user on Users and revokes them: the user's next action shows the revoked alert, and the
// admin's Audit log has every step. Screenshots of each step go to the artifacts directory.
// The steps run in order and each needs the one before: a failure stops the journey there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIN_KEY, api, launchBrowser, navigate, newPersonContext, randomEmail, randomPassword, referenceCid,
  sampleProgress, screenshot, sha256, signInWithKey, signInWithPassword, title, url, watchedPage,
} from './support.mjs';

const MiB = 1024 * 1024;
const STEP_TIMEOUT = 30_000;

let browser;
let tmp;
const user = { email: randomEmail('web-journey'), password: randomPassword(), key: '', newKey: '' };
let userPage;   // { page, problems, apiErrors } in the user's context
let adminPage;  // the same in the administrator's context
const small = { name: 'journey-5mib.bin', bytes: randomBytes(5 * MiB) };
const large = { name: 'journey-20mib.bin', bytes: randomBytes(20 * MiB) };

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gw-web-journey-'));
  for (const f of [small, large]) {
    f.path = join(tmp, f.name);
    writeFileSync(f.path, f.bytes);
    f.cid = await referenceCid(f.bytes);
  }
  browser = await launchBrowser();
  userPage = await watchedPage(await newPersonContext(browser));
  userPage.page.setDefaultTimeout(STEP_TIMEOUT);
});

after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// A step of the journey: after a failed step, the later ones fail at once naming it (they need
// its state) instead of each waiting out its own timeouts.
let failedStep;
function step(name, fn) {
  test(name, async (t) => {
    assert.equal(failedStep, undefined, `an earlier step failed: ${failedStep}`);
    try {
      await fn(t);
    } catch (err) {
      failedStep = name;
      throw err;
    }
  });
}

// the row of the Files table that holds this CID
const fileRow = (page, cid) => page.getByRole('row').filter({ has: page.getByTestId('file-cid').filter({ hasText: cid }) });

describe('a user and an administrator through the dashboard', () => {
  step('register: the new key is shown once, with Copy key and a link to Sign in', async () => {
    const { page } = userPage;
    await page.goto(url('/app/register/'));
    await title(page, 'Create an account').waitFor();
    await screenshot(page, 'journey-register');
    await page.getByLabel('Email', { exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Your API key' }).waitFor();
    user.key = (await page.getByTestId('new-api-key').textContent()).trim();
    assert.match(user.key, /^ipfs_gw_/, 'the key shown after registering');
    assert.ok(await page.getByRole('button', { name: 'Copy key' }).isVisible(), 'a Copy key button');
    assert.ok(await page.getByText(/only once/i).first().isVisible(), 'the page says the key is shown only once');
    await screenshot(page, 'journey-register-done');
    const status = await api('POST', '/status', { key: user.key });
    assert.equal(status.status, 200, `the key shown works: ${status.body}`);
    assert.equal(status.json.data.email, user.email);
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(url('/app/sign-in/'));
    await title(page, 'Sign in').waitFor();
  });

  step('sign in with email and password: the overview with its chart', async () => {
    const { page } = userPage;
    await signInWithPassword(page, user.email, user.password);
    assert.equal(page.url(), url('/app/'));
    await page.getByRole('img', { name: /^Uploads per day/ }).waitFor();
    await screenshot(page, 'journey-overview');
  });

  step('upload 5 MiB through the file picker: the progress bar moves, the CID is the reference CID', async (t) => {
    const { page } = userPage;
    await navigate(page, 'Upload', '/app/upload/', 'Upload');
    await page.getByLabel('Choose a file').setInputFiles(small.path);
    // 1 MiB/s up: about five seconds of upload progress to observe (loopback is instant)
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1,
      uploadThroughput: MiB });
    const progress = sampleProgress(page, 'Upload progress');
    t.after(() => progress.stop());
    const answered = page.waitForResponse((r) => r.url() === url('/upload') && r.request().method() === 'POST',
      { timeout: 60_000 });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('progressbar', { name: 'Upload progress' }).waitFor();
    await screenshot(page, 'journey-upload-progress');
    assert.equal((await answered).status(), 201, 'a 5 MiB upload is stored at once (201)');
    const stored = page.getByRole('status').filter({ hasText: 'Stored' });
    await stored.waitFor({ timeout: 60_000 });
    const seen = await progress.stop();
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1,
      uploadThroughput: -1 });
    const moving = seen.filter((s) => s.determinate && s.value > 0 && s.value < s.max);
    t.diagnostic(`Upload progress samples: ${seen.length}, between 0 and max: ${moving.length}` +
      (moving.length ? ` (first ${moving[0].value}/${moving[0].max})` : ''));
    assert.ok(moving.length > 0, `the Upload progress bar showed a value > 0 before completion: ${JSON.stringify(seen.slice(0, 20))}`);
    const shownCid = (await stored.getByTestId('upload-cid').textContent()).trim();
    assert.equal(shownCid, small.cid, 'the CID shown is the reference importer\'s CID of the same bytes');
    await screenshot(page, 'journey-upload-done');
  });

  step('Files lists the file with its CID; Download gives identical bytes', async () => {
    const { page } = userPage;
    await navigate(page, 'Files', '/app/files/', 'Files');
    const row = fileRow(page, small.cid);
    await row.waitFor();
    assert.ok(await row.getByText(small.name).isVisible(), 'the row shows the filename');
    const link = row.getByRole('link', { name: 'Download' });
    assert.equal(await link.getAttribute('href'), `/retrieve/${small.cid}`);
    assert.notEqual(await link.getAttribute('download'), null, 'the Download link has the download attribute');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const path = await download.path();
    assert.ok(path, `the download finished: ${await download.failure()}`);
    assert.equal(sha256(readFileSync(path)), sha256(small.bytes), 'the downloaded bytes are the uploaded bytes');
    await screenshot(page, 'journey-files');
  });

  step('Unpin and Pin: the row shows the state', async () => {
    const { page } = userPage;
    const row = fileRow(page, small.cid);
    // an upload is pinned: Unpin first, then Pin again (either way, both happen)
    const order = await row.getByRole('button', { name: 'Unpin', exact: true }).isVisible() ? ['Unpin', 'Pin'] : ['Pin', 'Unpin'];
    for (const action of order) {
      const other = action === 'Pin' ? 'Unpin' : 'Pin';
      const answered = page.waitForResponse((r) => r.url().startsWith(url(`/${action.toLowerCase()}/`)));
      await row.getByRole('button', { name: action, exact: true }).click();
      assert.ok((await answered).ok(), `POST /${action.toLowerCase()} succeeded`);
      await row.getByRole('button', { name: other, exact: true }).waitFor();
      assert.equal(await row.getByRole('button', { name: action, exact: true }).count(), 0,
        `after ${action} the row offers ${other} only`);
    }
  });

  step('Delete asks first (Escape cancels), then the file is gone', async () => {
    const { page } = userPage;
    const row = fileRow(page, small.cid);
    await row.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await screenshot(page, 'journey-delete-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await row.count(), 1, 'Escape cancels: the file is still listed');
    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByText('No files yet').waitFor();
    const listed = await api('GET', '/files', { key: user.key });
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.json.data.map((f) => f.cid), [], 'the API lists no file either');
  });

  step('upload 20 MiB: a task, its Task progress followed to the end, then the CID', async (t) => {
    const { page } = userPage;
    await navigate(page, 'Upload', '/app/upload/', 'Upload');
    await page.getByLabel('Choose a file').setInputFiles(large.path);
    const progress = sampleProgress(page, 'Task progress');
    t.after(() => progress.stop());
    const accepted = page.waitForResponse((r) => r.url() === url('/upload') && r.request().method() === 'POST',
      { timeout: 120_000 });
    const finished = page.waitForResponse(async (r) => /\/tasks\/[^/]+\/status$/.test(r.url()) &&
      (await r.json().catch(() => ({})))?.data?.state === 'succeeded', { timeout: 120_000 });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    assert.equal((await accepted).status(), 202, 'an upload of GW_ASYNC_THRESHOLD (10 MiB) or more is a task (202)');
    await page.getByRole('progressbar', { name: 'Task progress' }).waitFor({ state: 'attached' });
    await finished;
    const stored = page.getByRole('status').filter({ hasText: 'Stored' });
    await stored.waitFor({ timeout: 60_000 });
    const seen = await progress.stop();
    t.diagnostic(`Task progress samples: ${seen.length}; last ${JSON.stringify(seen.at(-1))}`);
    assert.ok(seen.length > 0, 'the Task progress bar was shown');
    const determinate = seen.filter((s) => s.determinate);
    for (let i = 1; i < determinate.length; i++) {
      assert.ok(determinate[i].value >= determinate[i - 1].value || determinate[i].max !== determinate[i - 1].max,
        `Task progress never goes back: ${JSON.stringify(determinate)}`);
    }
    assert.equal((await stored.getByTestId('upload-cid').textContent()).trim(), large.cid,
      'the task\'s CID is the reference importer\'s CID of the same bytes');
    await screenshot(page, 'journey-task-done');
    await navigate(page, 'Files', '/app/files/', 'Files');
    await fileRow(page, large.cid).waitFor();
    await screenshot(page, 'journey-files-task');
  });

  step('API key: Renew key shows a new key that works; the old one is api_key_inactive', async () => {
    const { page } = userPage;
    await navigate(page, 'API key', '/app/key/', 'API key');
    const status = await api('POST', '/status', { key: user.key });
    assert.equal(status.status, 200);
    const prefix = status.json.data.key_prefix;
    assert.ok(typeof prefix === 'string' && user.key.startsWith(prefix), `POST /status key_prefix: ${status.body}`);
    await page.getByText(prefix).first().waitFor();
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Renew key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('new-api-key').waitFor();
    user.newKey = (await dialog.getByTestId('new-api-key').textContent()).trim();
    assert.match(user.newKey, /^ipfs_gw_/);
    assert.notEqual(user.newKey, user.key, 'the renewed key differs');
    assert.ok(await dialog.getByRole('button', { name: 'Copy key' }).isVisible());
    await screenshot(page, 'journey-renew-dialog');
    // "Done": the session of the old key ended, the app signs in again with the new key
    const again = page.waitForResponse((r) => r.url() === url('/session') && r.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Done' }).click();
    assert.equal((await again).status(), 201, 'the app signed in again with the new key');
    await dialog.waitFor({ state: 'hidden' });
    const fresh = await api('POST', '/status', { key: user.newKey });
    assert.equal(fresh.status, 200, `the new key works: ${fresh.body}`);
    const old = await api('POST', '/status', { key: user.key });
    assert.equal(old.status, 401);
    assert.equal(old.json?.error?.code, 'api_key_inactive', old.body);
    await navigate(page, 'Overview', '/app/', 'Overview');
  });

  step('an administrator revokes the user on Users; the user\'s next action shows it', async () => {
    adminPage = await watchedPage(await newPersonContext(browser));
    const { page } = adminPage;
    page.setDefaultTimeout(STEP_TIMEOUT);
    await signInWithKey(page, ADMIN_KEY);
    await navigate(page, 'Users', '/app/admin/users/', 'Users');
    await page.getByLabel('Search by email').fill(user.email);
    const row = page.getByRole('row').filter({ hasText: user.email });
    await row.waitFor();
    await page.getByRole('row').filter({ hasText: '@' }).nth(1).waitFor({ state: 'detached' });
    await screenshot(page, 'journey-admin-users');
    await row.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await screenshot(page, 'journey-admin-revoke-dialog');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByRole('button', { name: 'Reactivate' }).waitFor();
    assert.match(await row.textContent(), /revoked/i, 'the row shows the revoked state');
    const status = await api('POST', '/status', { key: ADMIN_KEY, body: { email: user.email } });
    assert.equal(status.json?.data?.state, 'revoked', status.body);

    const user_ = userPage.page;
    await user_.getByRole('navigation').getByRole('link', { name: 'Files', exact: true }).click();
    const alert = user_.getByRole('alert').filter({ hasText: 'Your API key has been revoked by an administrator.' });
    await alert.waitFor();
    await screenshot(user_, 'journey-revoked');
  });

  step('the Audit log, filtered by the user, has every step', async (t) => {
    const { page } = adminPage;
    await navigate(page, 'Audit log', '/app/admin/audit/', 'Audit log');
    await page.getByLabel('User', { exact: true }).fill(user.email);
    const answered = page.waitForResponse((r) => r.url().startsWith(url('/audit?')) && r.url().includes('user='));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    assert.equal((await answered).status(), 200);
    // the table shows the filtered answer once every row is the user's (the unfiltered list came first)
    const bodyRows = page.locator('tbody tr');
    const onlyUsersRows = async () => {
      for (let i = 0; i < 200; i++) {
        const texts = await bodyRows.allTextContents();
        if (texts.length > 0 && texts.every((r) => r.includes(user.email))) return texts[0];
        await page.waitForTimeout(50);
      }
      assert.fail(`the Audit log never showed only ${user.email}'s rows: ${await bodyRows.allTextContents()}`);
    };
    let first = await onlyUsersRows();
    await screenshot(page, 'journey-admin-audit');
    const cells = new Set();
    for (let pageNo = 1; pageNo <= 20; pageNo++) {
      for (const text of await page.locator('tbody td').allTextContents()) cells.add(text.trim());
      const next = page.getByRole('button', { name: 'Next page' });
      if (!(await next.isVisible()) || !(await next.isEnabled())) break;
      await next.click();
      // the next page is there when its first row is another one
      for (let i = 0; i < 200 && (await bodyRows.first().textContent()) === first; i++) await page.waitForTimeout(50);
      const now = await onlyUsersRows();
      assert.notEqual(now, first, 'Next page showed another page');
      first = now;
    }
    const expected = ['register', 'sign_in', 'upload', 'pin', 'unpin', 'delete_file', 'renew', 'revoke'];
    t.diagnostic(`audit cells seen: ${[...cells].filter((c) => /^[a-z_]+$/.test(c)).join(', ')}`);
    assert.deepEqual(expected.filter((a) => !cells.has(a)), [], 'actions missing from the Audit log');
  });

  test('no console error, uncaught exception or CSP refusal on any page of the journey', async (t) => {
    t.diagnostic(`API answers of 4xx the app handled: ${[...userPage.apiErrors, ...(adminPage?.apiErrors || [])].join('; ')}`);
    assert.deepEqual(userPage.problems, [], 'the user\'s pages');
    assert.deepEqual(adminPage?.problems ?? ['the administrator never signed in'], [], 'the administrator\'s pages');
  });
});
