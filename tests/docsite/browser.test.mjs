// The docs site in a real browser (label docs): Debian's chromium, driven by playwright-core,
// against the live test stack (`./gw test` exports GW_TEST_BASE_URL and GW_TEST_CA_FILE).
//   * /docs/ and the pages it links (the API reference, the guides, architecture, changelog ...)
//     and Swagger UI load with no console error and no failed request: a CSP refusal is a
//     console error, so a page that needs more than the policy allows fails here;
//   * the headers: nginx's security headers and the exact Content-Security-Policy, which an
//     inline script and an inline <style> really are refused by;
//   * Swagger UI's "Try it out" -> Execute on GET /health shows the 200 the gateway answered.
// The browser trusts the stack's certificate by its public key (--ignore-certificate-errors-
// spki-list with the keys of GW_TEST_CA_FILE), not by ignoring every certificate error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { chromium } from 'playwright-core';

const BASE = process.env.GW_TEST_BASE_URL;
const CA_FILE = process.env.GW_TEST_CA_FILE;
if (!BASE || !CA_FILE) {
  throw new Error('GW_TEST_BASE_URL and GW_TEST_CA_FILE are not set: run ./gw test');
}
const CHROMIUM = process.env.GW_TEST_CHROMIUM || '/usr/bin/chromium';
// running as root needs --no-sandbox; the machine has no network, so nothing in the background
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// what nginx/nginx.conf.in sends for /docs/ (and the snippets every HTTPS response carries)
const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const SECURITY_HEADERS = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const ca = readFileSync(CA_FILE);
const url = (path) => new URL(path, BASE).href;

// the SPKI pins (base64 SHA-256 of the public key) of every certificate in the CA file
function spkiPins(pem) {
  const blocks = pem.toString().match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) || [];
  assert.ok(blocks.length > 0, `no certificate in ${CA_FILE}`);
  return blocks.map((block) => createHash('sha256')
    .update(new X509Certificate(block).publicKey.export({ type: 'spki', format: 'der' })).digest('base64'));
}

// one request with Node's own TLS, trusting the CA file: status, headers, body
function request(path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = https.request(url(path), { method, ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function assertSecurityHeaders(headers, path) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    assert.equal(headers[name], value, `${path}: ${name}`);
  }
}

let browser;
let context;

// a page that records what went wrong on it: console errors (CSP refusals among them), uncaught
// exceptions, failed requests and HTTP errors
async function watchedPage() {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location()?.url || page.url()})`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return { page, problems };
}

// Swagger UI's block of one operation
const operation = (page, method, path) => page.locator(`.opblock.opblock-${method}`, {
  has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
});

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, `--ignore-certificate-errors-spki-list=${spkiPins(ca).join(',')}`],
  });
  context = await browser.newContext();
});

after(async () => {
  await browser?.close();
});

describe('headers', () => {
  test('the docs pages carry the security headers and the strict CSP', async () => {
    for (const path of ['/docs/', '/docs/api.html', '/docs/reference/', '/docs/reference/swagger-ui-bundle.js',
      '/docs/openapi.yaml']) {
      const res = await request(path);
      assert.equal(res.status, 200, path);
      assertSecurityHeaders(res.headers, path);
      assert.equal(res.headers['content-security-policy'], DOCS_CSP, `${path}: Content-Security-Policy`);
      assert.equal(res.headers['cache-control'], 'no-cache', `${path}: Cache-Control`);
    }
    // what the policy means for scripts, whatever else it says
    const directives = Object.fromEntries(DOCS_CSP.split(';').map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]));
    assert.deepEqual(directives['script-src'], ["'self'"]);
    assert.deepEqual(directives['default-src'], ["'none'"]);
  });

  test('content types: pages as HTML, the spec as YAML, Swagger UI as JavaScript', async () => {
    const types = {
      '/docs/': 'text/html', '/docs/reference/': 'text/html', '/docs/site.css': 'text/css',
      '/docs/openapi.yaml': 'application/yaml', '/docs/reference/swagger-init.js': 'application/javascript',
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await request(path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers['content-type'], new RegExp(`^${type}(;|$)`), path);
    }
  });

  test('/docs redirects to /docs/, old .md links to their pages, and only GET/HEAD are allowed', async () => {
    const bare = await request('/docs');
    assert.equal(bare.status, 308);
    assert.match(bare.headers.location, /\/docs\/$/);
    const md = await request('/docs/api.md');
    assert.equal(md.status, 301);
    assert.match(md.headers.location, /\/docs\/api\.html$/);
    const post = await request('/docs/', 'POST');
    assert.equal(post.status, 405);
    assert.match(post.headers['content-type'], /^application\/json/);
    const missing = await request('/docs/no-such-page.html');
    assert.equal(missing.status, 404);
    assertSecurityHeaders(missing.headers, '/docs/no-such-page.html');
  });

  test('the landing page at / links the docs', async () => {
    const res = await request('/');
    assert.equal(res.status, 200);
    assert.match(res.body, /href="\/docs\/"/);
  });
});

describe('pages in the browser', () => {
  test('/, /docs/ and every page /docs/ links load with no console error and no failed request', async (t) => {
    const { page, problems } = await watchedPage();
    await page.goto(url('/docs/'));
    const links = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.href));
    const pages = [...new Set(links.map((href) => href.split('#')[0]))]
      .filter((href) => href.startsWith(url('/docs/')) && (href.endsWith('.html') || href.endsWith('/')))
      .filter((href) => !href.endsWith('/docs/reference/'));   // Swagger UI: its own test below
    const guides = pages.filter((href) => href.includes('/docs/guides/'));
    assert.ok(pages.includes(url('/docs/api.html')), 'the landing page links the API reference');
    assert.ok(pages.includes(url('/docs/architecture.html')), 'the landing page links the architecture');
    assert.ok(pages.includes(url('/docs/changelog.html')), 'the landing page links the changelog');
    await page.goto(url('/'));
    for (const href of pages) {
      const response = await page.goto(href);
      assert.equal(response.status(), 200, href);
      assert.ok(await page.locator('main h1').count() > 0, `${href} has a heading`);
      assert.ok(await page.locator('nav.site-nav a[aria-current="page"]').count() <= 1, href);
    }
    assert.deepEqual(problems, []);
    t.diagnostic(`${pages.length} pages loaded, ${guides.length} of them guides`);
  });

  test('Swagger UI renders openapi.yaml with no console error and no failed request', async () => {
    const { page, problems } = await watchedPage();
    const spec = page.waitForResponse(url('/docs/openapi.yaml'));
    await page.goto(url('/docs/reference/'));
    assert.equal((await spec).status(), 200);
    await operation(page, 'get', '/health').waitFor();
    assert.ok(await page.locator('.opblock').count() >= 1);
    assert.deepEqual(problems, []);
  });

  test('the CSP refuses an inline script and an inline style', async () => {
    for (const path of ['/docs/', '/docs/reference/']) {
      const { page, problems } = await watchedPage();
      await page.goto(url(path));
      const result = await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.gwInlineRan = true;';
        document.body.append(script);
        const style = document.createElement('style');
        style.textContent = 'body { outline: 7px solid rgb(1, 2, 3); }';
        document.head.append(style);
        return { ran: window.gwInlineRan === true, outline: getComputedStyle(document.body).outlineWidth };
      });
      assert.equal(result.ran, false, `${path}: an inline script ran`);
      assert.notEqual(result.outline, '7px', `${path}: an inline <style> applied`);
      // and the browser says why (a console error per refusal)
      await page.waitForTimeout(100);
      assert.ok(problems.some((p) => /Content Security Policy.*script-src/.test(p)), `${path}: ${problems}`);
      assert.ok(problems.some((p) => /Content Security Policy.*style-src/.test(p)), `${path}: ${problems}`);
    }
  });

  test('Swagger UI: Try it out -> Execute on GET /health shows 200', async () => {
    const { page, problems } = await watchedPage();
    await page.goto(url('/docs/reference/'));
    const health = operation(page, 'get', '/health');
    await health.locator('.opblock-summary-control').click();
    await health.locator('button.try-out__btn').click();
    const sent = page.waitForResponse((r) => r.url() === url('/health'));
    await health.locator('button.execute').click();
    assert.equal((await sent).status(), 200, 'the gateway answered GET /health');
    // what Swagger UI shows in its "Server response" table
    const code = health.locator('.live-responses-table tbody .response-col_status').first();
    await code.waitFor();
    assert.equal((await code.textContent()).trim(), '200');
    assert.equal((await health.locator('.request-url pre').textContent()).trim(), url('/health'));
    assert.deepEqual(problems, []);
  });
});
