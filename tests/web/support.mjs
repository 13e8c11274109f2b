// What the browser tests of the web dashboard (/app/, built from web/) share: the live
// stack from `./gw test` (GW_TEST_BASE_URL, GW_TEST_CA_FILE, GW_TEST_ADMIN_KEY,
// GW_TEST_REFERENCE_DIR), Debian's chromium trusting the stack's certificate by its public key,
// pages that record what went wrong on them, the API through Node's own TLS, screenshots into
// the artifacts directory, axe-core scans, and the reference importer's CIDs.
import assert from 'node:assert/strict';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

export const BASE = process.env.GW_TEST_BASE_URL;
const CA_FILE = process.env.GW_TEST_CA_FILE;
export const ADMIN_KEY = process.env.GW_TEST_ADMIN_KEY;
const REFERENCE_DIR = process.env.GW_TEST_REFERENCE_DIR;
for (const [name, value] of Object.entries({
  GW_TEST_BASE_URL: BASE, GW_TEST_CA_FILE: CA_FILE, GW_TEST_ADMIN_KEY: ADMIN_KEY, GW_TEST_REFERENCE_DIR: REFERENCE_DIR,
})) {
  if (!value) throw new Error(`${name} is not set: run ./gw test`);
}
// GW_TEST_ARTIFACTS_DIR (./gw test sets it), else what CMake gave the test (<build dir>/web-artifacts)
export const ARTIFACTS_DIR = process.env.GW_TEST_ARTIFACTS_DIR || process.env.GW_TEST_WEB_ARTIFACTS_DEFAULT ||
  join(process.cwd(), 'web-artifacts');
const CHROMIUM = process.env.GW_TEST_CHROMIUM || '/usr/bin/chromium';
// running as root needs --no-sandbox; the machine has no network, so nothing in the background
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const WIDE = { width: 1280, height: 900 };
export const NARROW = { width: 360, height: 740 };

const ca = readFileSync(CA_FILE);
export const url = (path) => new URL(path, BASE).href;

// 198.18.0.0/15 (RFC 2544, never a real client): the stack trusts 127.0.0.1 as a proxy, so each
// browser context is its own client address for the per-address limits of /register, /renew
// and /session, as distinct people are
export function randomTestAddress() {
  const b = randomBytes(3);
  return `198.${18 + (b[0] % 2)}.${b[1]}.${b[2]}`;
}

export function randomEmail(prefix) {
  return `${prefix}-${randomBytes(6).toString('hex')}@example.com`;
}

export const randomPassword = () => `correct horse battery ${randomBytes(4).toString('hex')}`;

// the SPKI pins (base64 SHA-256 of the public key) of every certificate in the CA file
function spkiPins(pem) {
  const blocks = pem.toString().match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) || [];
  assert.ok(blocks.length > 0, `no certificate in ${CA_FILE}`);
  return blocks.map((block) => createHash('sha256')
    .update(new X509Certificate(block).publicKey.export({ type: 'spki', format: 'der' })).digest('base64'));
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, `--ignore-certificate-errors-spki-list=${spkiPins(ca).join(',')}`],
  });
}

// a context for one person: own cookies, own client address
export function newPersonContext(browser, viewport = WIDE) {
  return browser.newContext({ viewport, acceptDownloads: true,
    extraHTTPHeaders: { 'X-Forwarded-For': randomTestAddress() } });
}

// A page that records what went wrong on it: console errors (a CSP refusal is one), uncaught
// exceptions, failed requests of the app's own files. Chromium also logs an API answer of 4xx
// ("Failed to load resource: ... status of 401") as a console error: those the app is meant to
// handle (no session yet, a revoked key), so they are kept apart in `apiErrors`, not failed on;
// the same message for a file under /app/ is a problem.
export async function watchedPage(context) {
  const page = await context.newPage();
  const problems = [];
  const apiErrors = [];
  const appPrefix = url('/app/');
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location()?.url || page.url();
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()) &&
        !where.startsWith(appPrefix)) {
      apiErrors.push(`${m.text()} (${where})`);
      return;
    }
    problems.push(`console: ${m.text()} (${where})`);
  });
  page.on('pageerror', (e) => problems.push(`exception on ${page.url()}: ${e.message}`));
  page.on('requestfailed', (r) => {
    const failure = r.failure()?.errorText || '';
    // a download the browser hands to Playwright, or a navigation that replaced a page, aborts
    if (r.url().startsWith(appPrefix) && !/ERR_ABORTED/.test(failure)) problems.push(`failed: ${r.url()} (${failure})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.url().startsWith(appPrefix)) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return { page, problems, apiErrors };
}

// One request with Node's own TLS, trusting the CA file, from a test address:
// { status, headers, body, json }
export function api(method, path, { key, body, headers = {}, address } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const h = { 'X-Forwarded-For': address || randomTestAddress(), ...headers };
    if (key) h['X-API-Key'] = key;
    if (payload) { h['Content-Type'] = 'application/json'; h['Content-Length'] = payload.length; }
    const req = https.request(url(path), { method, ca, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

// a multipart POST /upload with the API key (setup for the pages that need rows)
export function apiUpload(key, filename, bytes) {
  const boundary = `gwtest${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n');
  const payload = Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return new Promise((resolve, reject) => {
    const req = https.request(url('/upload'), { method: 'POST', ca, headers: {
      'X-API-Key': key, 'X-Forwarded-For': randomTestAddress(),
      'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': payload.length,
    } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

// a new account through the API: { email, password, key }
export async function registerByApi(prefix) {
  const email = randomEmail(prefix);
  const password = randomPassword();
  const res = await api('POST', '/register', { body: { email, password } });
  assert.equal(res.status, 201, `POST /register: ${res.body}`);
  return { email, password, key: res.json.data.api_key };
}

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// the CID `ipfs add --cid-version=1` gives these bytes (tests/reference, the same importer the
// e2e suites hold the gateway to)
export async function referenceCid(bytes) {
  const lib = await import(pathToFileURL(join(REFERENCE_DIR, 'lib.mjs')).href);
  return (await lib.cidOf(bytes)).cid;
}

// a full-page screenshot <ARTIFACTS_DIR>/<name>-<width>.png
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  const path = join(ARTIFACTS_DIR, `${name}-${width}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// axe-core on the page as it is now (WCAG 2.0/2.1 A and AA): every violation is printed through
// `log`; the serious and critical ones are returned
export async function axeScan(page, name, log) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  for (const v of results.violations) {
    const targets = v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ');
    log(`axe ${name}: [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} node(s): ${targets})`);
  }
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${name}: [${v.impact}] ${v.id}: ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// the values a <progress> with this accessible name took, sampled every 25 ms until stop() or
// the page closes (call stop() in a finally: a running sampler keeps the test process alive)
export function sampleProgress(page, name) {
  const seen = [];
  let running = true;
  const bar = page.getByRole('progressbar', { name });
  const loop = (async () => {
    while (running && !page.isClosed()) {
      try {
        const values = await bar.evaluateAll((els) => els.map((e) => ({ value: e.value, max: e.max,
          determinate: e.hasAttribute('value') })));
        for (const v of values) seen.push(v);
      } catch { /* the page navigated: sample again */ }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return { seen, async stop() { running = false; await loop; return seen; } };
}

// sign in on /app/sign-in/ with email and password; lands on the overview
export async function signInWithPassword(page, email, password) {
  await page.goto(url('/app/sign-in/'));
  await title(page, 'Sign in').waitFor();
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await title(page, 'Overview').waitFor();
}

// sign in on /app/sign-in/ with an API key ("Use an API key" first when the form is behind it)
export async function signInWithKey(page, key) {
  await page.goto(url('/app/sign-in/'));
  await title(page, 'Sign in').waitFor();
  const keyInput = page.getByLabel('API key', { exact: true });
  if (!(await keyInput.isVisible())) {
    await page.getByRole('button', { name: 'Use an API key' }).or(page.getByRole('tab', { name: 'Use an API key' }))
      .or(page.getByRole('link', { name: 'Use an API key' })).first().click();
  }
  await keyInput.fill(key);
  await page.getByRole('button', { name: 'Sign in with key' }).click();
  await title(page, 'Overview').waitFor();
}

// the page's title (its level-1 heading)
export const title = (page, name) => page.getByRole('heading', { name, exact: true, level: 1 });

// a signed-in page's navigation link to `path`, whose title is `heading`
export async function navigate(page, linkName, path, heading) {
  await page.getByRole('navigation').getByRole('link', { name: linkName, exact: true }).click();
  await page.waitForURL(url(path));
  await title(page, heading).waitFor();
}
