#!/usr/bin/env node
// csp-hashes.mjs <export dir> [<nginx snippet>]: the Content-Security-Policy of every exported
// page, for nginx. Next.js puts its page data in inline <script>s, which differ per page; the CSP
// allows exactly those (sha256 of each), never 'unsafe-inline'. It fails on what a policy without
// inline styles would refuse: a style="" attribute or a <style> element in any page, and on inline
// event handlers (onclick=...), which no hash allows.
//
// The snippet is an nginx `map $uri $gw_app_csp { ... }` (included at http level by
// nginx/nginx.conf.in): each page under each URI that serves it (/app/x/, /app/x/index.html, and
// /app/ itself), and a default without any inline script for everything else (JS, CSS, .txt).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { join, relative, sep } from "node:path";

const BASE = "/app";
const exportDir = process.argv[2];
const snippetPath = process.argv[3];
if (!exportDir) {
  console.error("usage: csp-hashes.mjs <export dir> [<nginx snippet>]");
  process.exit(2);
}

export function policy(hashes) {
  const scripts = ["'self'", ...hashes.map((h) => `'sha256-${h}'`)].join(" ");
  return [
    "default-src 'none'",
    `script-src ${scripts}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function htmlFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...htmlFiles(p));
    else if (entry.isFile() && entry.name.endsWith(".html")) out.push(p);
  }
  return out.sort();
}

// the URIs nginx serves a file under: x/index.html is also x/ ; index.html is also /app/
function urisOf(file) {
  const rel = relative(exportDir, file).split(sep).join("/");
  const uris = [`${BASE}/${rel}`];
  if (rel === "index.html") uris.push(`${BASE}/`);
  else if (rel.endsWith("/index.html")) uris.push(`${BASE}/${rel.slice(0, -"index.html".length)}`);
  return uris;
}

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const problems = [];
const entries = [];
for (const file of htmlFiles(exportDir)) {
  const html = readFileSync(file, "utf8");
  const hashes = [];
  for (const m of html.matchAll(SCRIPT)) {
    const attrs = m[1] ?? "";
    const body = m[2] ?? "";
    if (/\ssrc\s*=/i.test(attrs)) continue;
    if (/\stype\s*=\s*["']?application\/(ld\+)?json/i.test(attrs)) continue; // data, never run
    hashes.push(createHash("sha256").update(body, "utf8").digest("base64"));
  }
  // what is left once the scripts' bodies are gone is markup
  const markup = html.replace(SCRIPT, "<script></script>");
  if (/<style[\s>]/i.test(markup))
    problems.push(`${file}: a <style> element (style-src 'self' refuses it)`);
  if (/<[a-z][^>]*\sstyle\s*=/i.test(markup)) problems.push(`${file}: a style="" attribute`);
  if (/<[a-z][^>]*\son[a-z]+\s*=/i.test(markup)) problems.push(`${file}: an inline event handler`);
  const unique = [...new Set(hashes)];
  for (const uri of urisOf(file)) entries.push([uri, policy(unique)]);
}

if (problems.length) {
  console.error("csp-hashes: the exported pages have what the CSP of /app/ refuses:");
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
if (!entries.length) {
  console.error(`csp-hashes: no HTML page under ${exportDir}`);
  process.exit(1);
}

const quote = (s) => `"${s.replace(/["\\]/g, "\\$&")}"`;
const pages = entries.length;
const lines = [
  "# Written by web/scripts/csp-hashes.mjs after `next build`: the CSP of each page of the web",
  "# dashboard (/app/), with the sha256 of each of its inline scripts. Do not edit.",
  "map $uri $gw_app_csp {",
  `    default ${quote(policy([]))};`,
  ...entries.map(([uri, csp]) => `    ${quote(uri)} ${quote(csp)};`),
  "}",
  "",
];
if (snippetPath) {
  writeFileSync(`${snippetPath}.tmp`, lines.join("\n"));
  renameSync(`${snippetPath}.tmp`, snippetPath);
  console.log(`csp-hashes: the CSP of ${pages} page URIs -> ${snippetPath}`);
} else {
  process.stdout.write(lines.join("\n"));
}
