#!/usr/bin/env node
// docs/openapi.yaml against the sources it describes, so that neither can change alone
// (ctest openapi_matches_sources, label docs):
//   - its operations are exactly the routes of fcgi/http/routes.cpp (plus HEAD where the
//     document gives HEAD its own operation: only on a path whose GET is a route);
//   - its ErrorCode enum is exactly the codes of fcgi/http/error_table.cpp and of nginx's own
//     error pages (nginx/snippets/error-pages.conf.in);
//   - every error response narrows `error.code` to codes of its own HTTP status, as those two
//     tables map them (a 401 response may not list `forbidden`).
//
//   node check_sources.mjs [--repo DIR]
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoArg = process.argv.indexOf('--repo');
const repo = repoArg > 0 ? process.argv[repoArg + 1] : path.resolve(here, '../..');
const read = (rel) => fs.readFileSync(path.join(repo, rel), 'utf8');

const problems = [];
const api = await SwaggerParser.dereference(path.join(repo, 'docs/openapi.yaml'));

// --- routes ---
const routes = new Set();
for (const m of read('fcgi/http/routes.cpp').matchAll(/api\.Add\("([A-Z]+)",\s*"([^"]+)"/g)) routes.add(`${m[1]} ${m[2]}`);
if (routes.size === 0) problems.push('found no api.Add(...) routes in fcgi/http/routes.cpp');
const operations = new Set();
for (const [template, item] of Object.entries(api.paths)) {
  for (const method of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']) {
    if (!item[method]) continue;
    if (method === 'head') {
      if (!routes.has(`GET ${template}`)) problems.push(`HEAD ${template}: documented, but GET ${template} is no route`);
      continue;  // the router answers HEAD wherever it has GET
    }
    operations.add(`${method.toUpperCase()} ${template}`);
  }
}
for (const route of routes) if (!operations.has(route)) problems.push(`route ${route} (routes.cpp) is not in docs/openapi.yaml`);
for (const op of operations) if (!routes.has(op)) problems.push(`operation ${op} (docs/openapi.yaml) is no route in routes.cpp`);

// --- error codes ---
const statusOf = new Map();  // code -> set of HTTP statuses it is sent with
const addCode = (code, status) => {
  if (!statusOf.has(code)) statusOf.set(code, new Set());
  statusOf.get(code).add(status);
};
for (const m of read('fcgi/http/error_table.cpp').matchAll(/\{(\d{3}), "([a-z_]+)"/g)) addCode(m[2], m[1]);
const pages = read('nginx/snippets/error-pages.conf.in');
for (const m of pages.matchAll(/return (\d{3}) '\{"status":\d{3},[^']*"code":"([a-z_]+)"/g)) addCode(m[2], m[1]);
if (statusOf.size === 0) problems.push('found no error codes in error_table.cpp or error-pages.conf.in');
const documented = new Set(api.components.schemas.ErrorCode.enum);
for (const code of statusOf.keys()) if (!documented.has(code)) problems.push(`error code ${code} is not in the ErrorCode enum`);
for (const code of documented) if (!statusOf.has(code)) problems.push(`ErrorCode ${code} is sent by neither error_table.cpp nor error-pages.conf.in`);

// --- each error response's codes belong to its status ---
const checkResponse = (where, status, response) => {
  const schema = response?.content?.['application/json']?.schema;
  for (const part of schema?.allOf || []) {
    if (part === api.components.schemas.ErrorEnvelope) continue;  // every code; the next part narrows it
    const codes = part?.properties?.error?.properties?.code?.enum;
    for (const code of codes || []) {
      const statuses = statusOf.get(code);
      if (statuses && !statuses.has(status)) {
        problems.push(`${where} ${status}: code ${code} is sent with HTTP ${[...statuses].join('/')}, not ${status}`);
      }
    }
  }
};
for (const [template, item] of Object.entries(api.paths)) {
  for (const [method, op] of Object.entries(item)) {
    for (const [status, response] of Object.entries(op?.responses || {})) checkResponse(`${method.toUpperCase()} ${template}`, status, response);
  }
}
for (const [status, response] of Object.entries(api['x-unmatched-requests']?.responses || {})) {
  checkResponse('x-unmatched-requests', status, response);
}

for (const p of problems) console.log(`FAIL ${p}`);
console.log(
  problems.length
    ? `openapi vs sources: ${problems.length} problem(s)`
    : `openapi vs sources: ${routes.size} routes and ${statusOf.size} error codes match`,
);
process.exit(problems.length ? 1 : 0);
