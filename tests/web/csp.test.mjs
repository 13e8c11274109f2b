// The Content-Security-Policy of the web dashboard's pages (labels web, e2e), read with Node's
// own TLS from the live stack: the policy the dashboard was built to (default-src 'none', scripts
// from 'self' plus the hash of each inline script of that very page, no 'unsafe-inline' and no
// 'unsafe-eval' anywhere), every inline <script> of the exported HTML matching one of its
// sha256 hashes (computed here), and no style="" attribute in the HTML (style-src 'self' would
// refuse it). The browser side (no CSP refusal in the console) is in pages.test.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { api } from './support.mjs';

const PAGES = ['/app/sign-in/', '/app/register/', '/app/', '/app/upload/', '/app/files/', '/app/key/',
  '/app/admin/users/', '/app/admin/audit/'];

// the directives every page's policy has, whatever its script hashes
const FIXED = {
  'default-src': ["'none'"], 'style-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'font-src': ["'self'"],
  'connect-src': ["'self'"], 'base-uri': ["'none'"], 'form-action': ["'self'"], 'frame-ancestors': ["'none'"],
};

function parsePolicy(header) {
  const directives = {};
  for (const part of header.split(';').map((d) => d.trim()).filter(Boolean)) {
    const [name, ...values] = part.split(/\s+/);
    assert.equal(directives[name.toLowerCase()], undefined, `directive ${name} twice`);
    directives[name.toLowerCase()] = values;
  }
  return directives;
}

// the text of each inline <script> (no src) that the browser runs as JavaScript
function inlineScripts(html) {
  const scripts = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const [, attrs, body] = m;
    if (/\bsrc\s*=/i.test(attrs)) continue;
    const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(attrs)?.[1]?.toLowerCase();
    if (type && !['text/javascript', 'application/javascript', 'module'].includes(type)) continue;
    scripts.push(body);
  }
  return scripts;
}

const hashOf = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('the CSP of /app/', () => {
  for (const path of PAGES) {
    test(`${path}: strict policy, every inline script hashed in it`, async (t) => {
      const res = await api('GET', path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers['content-type'] || '', /^text\/html/, `${path}: content type`);
      const header = res.headers['content-security-policy'];
      assert.ok(header, `${path}: no Content-Security-Policy header`);
      assert.doesNotMatch(header, /'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'|'strict-dynamic'|\*/,
        `${path}: ${header}`);
      const policy = parsePolicy(header);
      for (const [name, values] of Object.entries(FIXED)) {
        assert.deepEqual(policy[name], values, `${path}: ${name} in ${header}`);
      }
      const scriptSrc = policy['script-src'] || [];
      assert.equal(scriptSrc[0], "'self'", `${path}: script-src starts with 'self': ${header}`);
      for (const source of scriptSrc.slice(1)) assert.match(source, /^'sha256-[A-Za-z0-9+/]+=*'$/, `${path}: ${source}`);
      const scripts = inlineScripts(res.body);
      const hashes = scripts.map(hashOf);
      t.diagnostic(`${scripts.length} inline script(s), ${scriptSrc.length - 1} hash(es) in the policy`);
      const missing = hashes.filter((h) => !scriptSrc.includes(h));
      assert.deepEqual(missing, [], `${path}: inline scripts whose hash the policy lacks`);
      assert.doesNotMatch(res.body, /<[^>]+\sstyle\s*=/i, `${path}: a style="" attribute in the HTML`);
    });
  }

  test('the hashes are per page: a page lists no hash of a script it does not have', async () => {
    for (const path of PAGES) {
      const res = await api('GET', path);
      assert.equal(res.status, 200, path);
      const listed = (parsePolicy(res.headers['content-security-policy'] || '')['script-src'] || []).slice(1);
      const own = new Set(inlineScripts(res.body).map(hashOf));
      assert.deepEqual(listed.filter((h) => !own.has(h)), [], `${path}: hashes of scripts it does not have`);
    }
  });
});
