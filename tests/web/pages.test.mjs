// Every page of the web dashboard (/app/) in Debian's chromium against the live stack (labels
// web, e2e): sign-in, register, overview, upload, files with rows, API key, the admin's users
// and audit log, and a dialog open. On each, at 1280 px and at 360 px wide:
//   * axe-core (WCAG 2.0/2.1 A and AA) finds no serious or critical violation (all are printed);
//   * at 360 px nothing scrolls sideways (document.scrollingElement.scrollWidth <= 360);
//   * a full-page screenshot goes to the artifacts directory;
// and on none of them a console error, an uncaught exception or a CSP refusal. Keyboard: Tab
// reaches the sign-in fields and the button, which shows a visible focus; Escape cancels the
// Delete dialog. A page that needs a session sends a visitor without one to the sign-in page,
// and the app keeps no API key in localStorage or sessionStorage.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  ADMIN_KEY, apiUpload, axeScan, launchBrowser, NARROW, newPersonContext, registerByApi, screenshot,
  signInWithKey, signInWithPassword, title, url, watchedPage, WIDE,
} from './support.mjs';

let browser;
let account;        // a user with three files (uploaded through the API)
const pages = [];   // every watched page, for the console check at the end
const serious = []; // serious and critical axe violations of every page
let checked = 0;    // pages scanned

before(async () => {
  account = await registerByApi('web-pages');
  for (let i = 0; i < 3; i++) {
    const up = await apiUpload(account.key, `page-file-${i}.txt`, randomBytes(1000 + i));
    assert.equal(up.status, 201, `setup upload: ${JSON.stringify(up.json)}`);
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

async function person() {
  const watched = await watchedPage(await newPersonContext(browser));
  watched.page.setDefaultTimeout(20_000);
  pages.push(watched);
  return watched;
}

// the page as it is now, at both widths: axe, the sideways scroll at 360 px, screenshots
async function checkPage(t, page, name) {
  await page.waitForLoadState('networkidle');
  await page.getByText('Loading…').first().waitFor({ state: 'hidden' });
  for (const viewport of [WIDE, NARROW]) {
    await page.setViewportSize(viewport);
    if (viewport === NARROW) {
      const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
      assert.ok(width <= NARROW.width, `${name}: at ${NARROW.width} px wide the page is ${width} px wide (scrolls sideways)`);
    }
    serious.push(...await axeScan(page, `${name} @${viewport.width}px`, (line) => t.diagnostic(line)));
    await screenshot(page, name);
  }
  await page.setViewportSize(WIDE);
  checked++;
}

describe('the pages, signed out', () => {
  test('sign-in and register', async (t) => {
    const { page } = await person();
    await page.goto(url('/app/sign-in/'));
    await title(page, 'Sign in').waitFor();
    await checkPage(t, page, 'sign-in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(url('/app/register/'));
    await title(page, 'Create an account').waitFor();
    await checkPage(t, page, 'register');
  });

  test('a page that needs a session sends a visitor without one to /app/sign-in/', async () => {
    const { page } = await person();
    for (const path of ['/app/', '/app/files/', '/app/key/', '/app/admin/users/']) {
      await page.goto(url(path));
      await page.waitForURL(url('/app/sign-in/'));
      await title(page, 'Sign in').waitFor();
    }
  });

  test('keyboard: Tab reaches Email, Password and Sign in, which shows a visible focus', async () => {
    const { page } = await person();
    await page.goto(url('/app/sign-in/'));
    await title(page, 'Sign in').waitFor();
    const reached = [];
    let button;
    for (let i = 0; i < 30 && !button; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const label = el.labels?.[0]?.textContent?.trim() || el.getAttribute('aria-label') || el.textContent.trim();
        const style = getComputedStyle(el);
        return { tag: el.tagName.toLowerCase(), label, focusVisible: el.matches(':focus-visible'),
          outline: `${style.outlineStyle} ${style.outlineWidth}`, boxShadow: style.boxShadow };
      });
      if (!focused) continue;
      reached.push(`${focused.tag}:${focused.label}`);
      if (focused.tag === 'button' && focused.label === 'Sign in') button = focused;
    }
    const at = (entry) => reached.indexOf(entry);
    assert.ok(at('input:Email') >= 0, `Tab reaches Email: ${reached}`);
    assert.ok(at('input:Password') > at('input:Email'), `then Password: ${reached}`);
    assert.ok(button, `then the Sign in button: ${reached}`);
    assert.ok(at('button:Sign in') > at('input:Password'), `in that order: ${reached}`);
    assert.ok(button.focusVisible, 'the focused button matches :focus-visible');
    const [outlineStyle, outlineWidth] = button.outline.split(' ');
    assert.ok((outlineStyle !== 'none' && parseFloat(outlineWidth) > 0) || button.boxShadow !== 'none',
      `the focused button shows it (outline ${button.outline}, box-shadow ${button.boxShadow})`);
    await screenshot(page, 'sign-in-button-focused');
  });
});

describe('the pages, signed in', () => {
  test('overview, upload, files with rows, API key, and the Delete dialog (Escape cancels it)', async (t) => {
    const { page } = await person();
    await signInWithPassword(page, account.email, account.password);
    await page.getByRole('img', { name: /^Uploads per day/ }).waitFor();
    await checkPage(t, page, 'overview');
    for (const [path, heading, name] of [['/app/upload/', 'Upload', 'upload'], ['/app/files/', 'Files', 'files'],
      ['/app/key/', 'API key', 'key']]) {
      await page.goto(url(path));
      await title(page, heading).waitFor();
      if (name === 'files') {
        await page.getByTestId('file-cid').nth(2).waitFor();
        assert.equal(await page.getByTestId('file-cid').count(), 3, 'the three files are listed');
      }
      await checkPage(t, page, name);
    }
    await page.goto(url('/app/files/'));
    await page.getByTestId('file-cid').first().waitFor();
    await page.getByRole('row').filter({ has: page.getByTestId('file-cid') }).first()
      .getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await checkPage(t, page, 'files-delete-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.getByTestId('file-cid').count(), 3, 'Escape cancelled: nothing was deleted');
  });

  test('admin: users and audit log (and the Revoke dialog); no API key in web storage', async (t) => {
    const { page } = await person();
    await signInWithKey(page, ADMIN_KEY);
    const stored = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }]));
    assert.ok(!stored.includes(ADMIN_KEY), 'the API key is not kept in localStorage or sessionStorage');
    await page.goto(url('/app/admin/users/'));
    await title(page, 'Users').waitFor();
    await page.getByLabel('Search by email').fill(account.email);
    const row = page.getByRole('row').filter({ hasText: account.email });
    await row.waitFor();
    await checkPage(t, page, 'admin-users');
    await row.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await checkPage(t, page, 'admin-revoke-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.goto(url('/app/admin/audit/'));
    await title(page, 'Audit log').waitFor();
    await page.getByRole('row').nth(1).waitFor();
    await checkPage(t, page, 'admin-audit');
  });
});

describe('the whole run', () => {
  test('no serious or critical accessibility violation on any page', (t) => {
    t.diagnostic(`${checked} page states scanned at two widths`);
    assert.ok(checked >= 10, `every page was scanned (${checked} of 10)`);
    assert.deepEqual(serious, []);
  });

  test('no console error, uncaught exception or CSP refusal on any page', (t) => {
    t.diagnostic(`API answers of 4xx the app handled: ${pages.flatMap((p) => p.apiErrors).join('; ') || 'none'}`);
    assert.deepEqual(pages.flatMap((p) => p.problems), []);
  });
});
