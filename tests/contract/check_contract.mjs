#!/usr/bin/env node
// The contract check: every response the end-to-end suites received (the recording their HTTPS
// clients write when GW_TEST_RECORD_FILE is set, one JSON line per exchange; see
// tests/e2e/https_client.hpp, RecordExchange) is validated against docs/openapi.yaml. `./gw test`
// runs it right after ctest (gw.d/test.sh, run_contract_check).
//
//   node check_contract.mjs --spec docs/openapi.yaml --recording exchanges.jsonl [--partial]
//
// It fails, listing each problem once with how often it happened and one example, on:
//   - a request that matches no operation (path template + method), unless it is one of the
//     answers the document's `x-unmatched-requests` describes (below);
//   - a status the operation does not document;
//   - a response header the response does not document (but for GENERIC_HEADERS), a documented
//     header whose value does not validate, a required header that is missing;
//   - a body of a media type the response does not document, a body where it documents none;
//   - a JSON body that does not validate against the documented schema, or that could not be
//     checked (not JSON, or not recorded whole);
//   - an error `code` outside the document's ErrorCode enum (whatever the schema says);
//   - an operation of the document that no recorded exchange exercised (with --partial, when
//     only some of the tests ran, these are listed but do not fail).
//
// Requests that match no operation: the gateway answers them as the document's
// `x-unmatched-requests` says, and they are checked against it, not skipped: a path that no
// operation has must get its `404` (e.g. tests of unknown routes, of nginx's internal
// locations), a known path with another method its `405` whose `Allow` lists exactly the
// methods the document gives that path (plus HEAD wherever GET is). Anything else there fails.
// HEAD on a path whose GET is documented (and no HEAD) is checked against the GET operation,
// without a body, as the document's description says.
//
// Skipped, and counted in the summary: exchanges with the plain-HTTP port (origin `http:`),
// which only redirects to HTTPS and is not the API the document describes.
//
// Known bugs: a problem that an entry of known_deviations.mjs matches (a response that
// contradicts docs/api.md) is printed as KNOWN BUG and does not fail the check; an entry that
// matched nothing in a full run fails it (the bug is gone: delete the entry), unless the entry
// says the tests meet that bug only `sometimes`.
import fs from 'node:fs';
import process from 'node:process';
import {pathToFileURL} from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {KNOWN_DEVIATIONS} from './known_deviations.mjs';

// Response headers no operation documents, and why. A header documented by a response is
// validated against its schema even when it is listed here.
export const GENERIC_HEADERS = new Map([
  ['date', 'HTTP plumbing, on every response (RFC 9110)'],
  ['server', 'HTTP plumbing; nginx with server_tokens off (no version; tests/e2e/nginx_test.cpp checks it)'],
  ['connection', 'HTTP/1.1 connection management'],
  ['keep-alive', 'HTTP/1.1 connection management'],
  ['transfer-encoding', 'HTTP/1.1 framing'],
  ['content-length', 'HTTP framing'],
  ['content-type', 'checked separately: it must name a media type the response documents'],
  ['strict-transport-security', 'nginx adds it to every HTTPS response (nginx/snippets/security-headers.conf)'],
  ['x-content-type-options', 'nginx adds it to every HTTPS response (security-headers.conf)'],
  ['x-frame-options', 'nginx adds it to every HTTPS response (security-headers.conf)'],
  ['referrer-policy', 'nginx adds it to every HTTPS response (security-headers.conf)'],
  ['content-security-policy', 'nginx adds it to every HTTPS response: the API (fastcgi-app.conf), downloads (download-headers.conf, with sandbox), its own error and static pages'],
  [
    'cache-control',
    'every API answer says no-store (fcgi/process/fcgi_transport.cpp); documented, and then checked, where it says more',
  ],
]);

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function parseArgs(argv) {
  const args = {partial: false};
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === '--partial') args.partial = true;
    else if (arg === '--spec') args.spec = argv[++i];
    else if (arg === '--recording') args.recording = argv[++i];
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!args.spec || !args.recording) {
    throw new Error('usage: check_contract.mjs --spec docs/openapi.yaml --recording FILE [--partial]');
  }
  return args;
}

// The path as the gateway routes it: nginx decodes %-escapes and resolves dot segments, and the
// router (fcgi/http/router.cpp, SplitPath) ignores empty segments.
export function pathSegments(rawPath) {
  let decoded = rawPath;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    // a malformed escape: nginx answers 400 itself; match the raw text
  }
  const out = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return out;
}

function templateSegments(template) {
  return template.split('/').filter((s) => s !== '');
}

function matchesTemplate(segments, template) {
  if (segments.length !== template.length) return false;
  return template.every((t, i) => (t.startsWith('{') && t.endsWith('}')) || t === segments[i]);
}

function mediaTypeOf(contentType) {
  return (contentType || '').split(';')[0].trim().toLowerCase();
}

function isJsonMedia(media) {
  return media === 'application/json' || media.endsWith('+json');
}

// The documented media type for an actual one: exact, then `type/*`, then `*/*`.
function documentedMedia(content, media) {
  if (!content) return undefined;
  const keys = Object.keys(content);
  const lower = new Map(keys.map((k) => [k.toLowerCase(), k]));
  const type = media.split('/')[0];
  for (const candidate of [media, `${type}/*`, '*/*']) {
    if (lower.has(candidate)) return lower.get(candidate);
  }
  return undefined;
}

export class ContractChecker {
  constructor(api) {
    this.api = api;
    this.ajv = new Ajv2020({allErrors: true, strict: true, strictTypes: false, strictRequired: false});
    addFormats(this.ajv);
    this.ajv.addKeyword('example');  // an OpenAPI annotation, not JSON Schema
    // Header values are text: "12" must pass `type: integer`.
    this.headerAjv = new Ajv2020({allErrors: true, strict: true, strictTypes: false, coerceTypes: true});
    addFormats(this.headerAjv);
    this.headerAjv.addKeyword('example');
    this.validators = new Map();
    this.operations = [];
    this.templates = [];
    for (const [template, item] of Object.entries(api.paths || {})) {
      const entry = {template, segments: templateSegments(template), ops: new Map()};
      for (const method of METHODS) {
        if (!item[method]) continue;
        const op = {key: `${method.toUpperCase()} ${template}`, method, template, operation: item[method]};
        entry.ops.set(method, op);
        this.operations.push(op);
      }
      this.templates.push(entry);
    }
    this.unmatched = api['x-unmatched-requests']?.responses || {};
    this.errorCodes = new Set(api.components?.schemas?.ErrorCode?.enum || []);
    if (this.errorCodes.size === 0) throw new Error('the document has no components.schemas.ErrorCode enum');
    this.exercised = new Set();
    this.problems = new Map();
    this.counts = {exchanges: 0, checked: 0, unmatched400: 0, unmatched404: 0, unmatched405: 0, headAsGet: 0, plainHttp: 0};
  }

  validator(ajv, schema) {
    let compiled = this.validators.get(schema);
    if (!compiled) {
      compiled = ajv.compile(schema);
      this.validators.set(schema, compiled);
    }
    return compiled;
  }

  problem(kind, where, message, exchange) {
    const key = `${kind}\u0000${where}\u0000${message}`;
    const known = this.problems.get(key);
    if (known) {
      known.count += 1;
      return;
    }
    this.problems.set(key, {kind, where, message, count: 1, example: describe(exchange)});
  }

  check(exchange) {
    this.counts.exchanges += 1;
    if (String(exchange.origin || '').startsWith('http:')) {
      this.counts.plainHttp += 1;
      return;
    }
    this.counts.checked += 1;
    const method = String(exchange.method || '').toLowerCase();
    const segments = pathSegments(exchange.path || '/');
    const entries = this.templates.filter((t) => matchesTemplate(segments, t.segments));
    const status = String(exchange.status);
    const request = `${exchange.method} ${exchange.path}`;
    if (entries.length === 0) {
      // 404, 405, and nginx's 400 for a URI it cannot parse (its %2F makes more segments)
      const response = this.unmatched[status];
      if (!response || !['400', '404', '405'].includes(status)) {
        this.problem('no operation', request, `matches no path of the document (HTTP ${status})`, exchange);
        return;
      }
      this.counts[`unmatched${status}`] += 1;
      this.checkResponse(exchange, response, `x-unmatched-requests ${status}`, false);
      return;
    }
    // Literal segments beat parameters, as in the route table's own order for these paths.
    entries.sort((a, b) => literalCount(b.segments) - literalCount(a.segments));
    let op;
    let headAsGet = false;
    for (const entry of entries) {
      op = entry.ops.get(method);
      if (!op && method === 'head' && entry.ops.has('get')) {
        op = entry.ops.get('get');
        headAsGet = true;
      }
      if (op) break;
    }
    if (!op) {
      const response = this.unmatched[status];
      if (status !== '405' || !response) {
        this.problem(
          'no operation',
          `${exchange.method} ${entries[0].template}`,
          `the document has no ${exchange.method} on this path (HTTP ${status})`,
          exchange,
        );
        return;
      }
      this.counts.unmatched405 += 1;
      const documented = new Set();
      for (const entry of entries) {
        for (const m of entry.ops.keys()) documented.add(m.toUpperCase());
        if (entry.ops.has('get')) documented.add('HEAD');
      }
      const allow = headerValues(exchange, 'allow')[0];
      const allowed = new Set(
        String(allow || '')
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean),
      );
      if (!setsEqual(allowed, documented)) {
        this.problem(
          'allow',
          `${exchange.method} ${entries[0].template}`,
          `Allow "${allow}" differs from the document's methods (${[...documented].sort().join(', ')})`,
          exchange,
        );
      }
      this.checkResponse(exchange, response, `x-unmatched-requests 405`, false);
      return;
    }
    if (headAsGet) this.counts.headAsGet += 1;
    this.exercised.add(op.key);
    const responses = op.operation.responses || {};
    const response = responses[status] || responses[`${status[0]}XX`] || responses.default;
    if (!response) {
      this.problem('status', op.key, `HTTP ${status} is not documented`, exchange);
      return;
    }
    this.checkResponse(exchange, response, `${op.key} ${status}`, method === 'head');
  }

  checkResponse(exchange, response, where, isHead) {
    // headers
    const documented = new Map();
    for (const [name, header] of Object.entries(response.headers || {})) documented.set(name.toLowerCase(), header);
    const seen = new Set();
    for (const [rawName, value] of exchange.response_headers || []) {
      const name = String(rawName).toLowerCase();
      seen.add(name);
      const header = documented.get(name);
      if (!header) {
        if (!GENERIC_HEADERS.has(name)) this.problem('header', where, `undocumented header ${name}`, exchange);
        continue;
      }
      if (header.schema) {
        const validate = this.validator(this.headerAjv, header.schema);
        if (!validate(value)) {
          this.problem('header', where, `header ${name}: "${value}" ${ajvText(validate.errors)}`, exchange);
        }
      }
    }
    for (const [name, header] of documented) {
      if (header.required && !seen.has(name)) this.problem('header', where, `required header ${name} is missing`, exchange);
    }

    // body
    const bytes = Number(exchange.body_bytes || 0);
    const content = response.content;
    const contentType = headerValues(exchange, 'content-type')[0];
    if (isHead || exchange.status === 304 || exchange.status === 204) {
      if (bytes > 0) this.problem('body', where, `a ${isHead ? 'HEAD' : exchange.status} response with a body`, exchange);
      return;
    }
    if (!content || Object.keys(content).length === 0) {
      if (bytes > 0) this.problem('body', where, `a body (${contentType || 'no Content-Type'}) where none is documented`, exchange);
      return;
    }
    if (bytes === 0 && !contentType) {
      this.problem('body', where, 'no body where one is documented', exchange);
      return;
    }
    const media = mediaTypeOf(contentType);
    const key = documentedMedia(content, media);
    if (!key) {
      this.problem('media type', where, `Content-Type "${contentType}" is not documented`, exchange);
      return;
    }
    const schema = content[key].schema;
    if (!isJsonMedia(media) || !schema) return;
    // A transport error after the head (a refused upload cut short) still leaves a checkable
    // body when all of it arrived, as Content-Length says.
    const length = headerValues(exchange, 'content-length')[0];
    const complete = !exchange.transport_error || (length !== undefined && Number(length) === bytes);
    if (exchange.body_recorded !== 'full' || !complete) {
      this.problem(
        'body',
        where,
        `a JSON body that could not be checked (${exchange.transport_error || `recorded ${exchange.body_recorded}`})`,
        exchange,
      );
      return;
    }
    let body;
    try {
      body = JSON.parse(exchange.body);
    } catch (error) {
      this.problem('body', where, `Content-Type says JSON but the body is not (${error.message})`, exchange);
      return;
    }
    const code = body?.error?.code;
    if (code !== undefined && !this.errorCodes.has(code)) {
      this.problem('error code', where, `error code "${code}" is not in the ErrorCode enum`, exchange);
    }
    const validate = this.validator(this.ajv, schema);
    if (!validate(body)) this.problem('schema', where, ajvText(validate.errors), exchange);
  }

  /// The problems, each with `known` set to the known_deviations.mjs entry it matches (if any).
  classify(deviations = KNOWN_DEVIATIONS) {
    const used = new Set();
    const problems = [...this.problems.values()].map((p) => {
      const known = deviations.find((d) => d.kind === p.kind && d.where.test(p.where) && d.message.test(p.message));
      if (known) used.add(known);
      return {...p, known};
    });
    return {problems, unused: deviations.filter((d) => !used.has(d))};
  }

  unexercised() {
    return this.operations.filter((op) => !this.exercised.has(op.key)).map((op) => op.key);
  }
}

function literalCount(segments) {
  return segments.filter((s) => !s.startsWith('{')).length;
}

function setsEqual(a, b) {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function headerValues(exchange, name) {
  return (exchange.response_headers || []).filter(([n]) => String(n).toLowerCase() === name).map(([, v]) => v);
}

function ajvText(errors) {
  const detail = (e) => {
    if (e.params?.additionalProperty) return ` (${e.params.additionalProperty})`;
    const allowed = e.params?.allowedValues;
    if (allowed) return ` ${JSON.stringify(allowed.length > 6 ? [...allowed.slice(0, 6), '...'] : allowed)}`;
    return '';
  };
  return (errors || [])
    .slice(0, 4)
    .map((e) => `${e.instancePath || '(root)'} ${e.message}${detail(e)}`)
    .join('; ');
}

function describe(exchange) {
  const query = exchange.query === null || exchange.query === undefined ? '' : `?${exchange.query}`;
  const body = typeof exchange.body === 'string' ? exchange.body.slice(0, 300) : `(${exchange.body_bytes} bytes, ${exchange.body_recorded})`;
  return `[${exchange.stack}] ${exchange.test || '(no test)'}: ${exchange.method} ${exchange.path}${query} -> ${exchange.status} ${body}`;
}

export async function loadDocument(specPath) {
  return SwaggerParser.dereference(specPath);
}

export function readRecording(path) {
  const exchanges = [];
  const broken = [];
  const text = fs.readFileSync(path, 'utf8');
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      exchanges.push(JSON.parse(line));
    } catch (error) {
      broken.push(`line ${index + 1}: ${error.message}`);
    }
  });
  return {exchanges, broken};
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const api = await loadDocument(args.spec);
  const checker = new ContractChecker(api);
  if (!fs.existsSync(args.recording)) {
    console.error(`contract: no recording at ${args.recording} (did the e2e tests run with GW_TEST_RECORD_FILE?)`);
    return 1;
  }
  const {exchanges, broken} = readRecording(args.recording);
  for (const exchange of exchanges) checker.check(exchange);
  const c = checker.counts;
  const stacks = {};
  for (const exchange of exchanges) stacks[exchange.stack] = (stacks[exchange.stack] || 0) + 1;
  console.log(
    `contract: ${c.exchanges} exchanges (${Object.entries(stacks)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}); checked ${c.checked}: ${checker.exercised.size} of ${checker.operations.length} operations exercised, ` +
      `${c.unmatched404} unknown-path 404s, ${c.unmatched400} unparseable-URI 400s and ${c.unmatched405} 405s checked against x-unmatched-requests, ` +
      `${c.headAsGet} HEADs against their GET; skipped ${c.plainHttp} plain-HTTP redirects`,
  );
  let failed = false;
  for (const line of broken) {
    console.log(`  FAIL recording: ${line}`);
    failed = true;
  }
  if (exchanges.length === 0) {
    console.log('  FAIL recording: no exchanges recorded');
    failed = true;
  }
  const {problems, unused} = checker.classify();
  problems.sort((a, b) => (a.where + a.kind).localeCompare(b.where + b.kind));
  let failures = broken.length;
  for (const p of problems) {
    if (p.known) {
      console.log(`  KNOWN BUG ${p.kind}: ${p.where}: ${p.message} (${p.count}x)\n       ${p.known.bug}`);
      continue;
    }
    console.log(`  FAIL ${p.kind}: ${p.where}: ${p.message} (${p.count}x)\n       e.g. ${p.example}`);
    failed = true;
    failures += 1;
  }
  for (const d of unused) {
    const what = `known_deviations.mjs: no response matched ${d.kind} ${d.where} ${d.message}`;
    const lenient = args.partial || d.sometimes;
    console.log(`  ${lenient ? 'note' : 'FAIL'} ${what}${lenient ? '' : ' (fixed? delete the entry)'}`);
    if (!lenient) {
      failed = true;
      failures += 1;
    }
  }
  const missing = checker.unexercised();
  for (const key of missing) {
    console.log(`  ${args.partial ? 'note' : 'FAIL'} coverage: ${key} was not exercised by any recorded exchange`);
    if (!args.partial) {
      failed = true;
      failures += 1;
    }
  }
  const known = problems.filter((p) => p.known).length;
  const knownText = known ? ` (${known} known bugs, see above)` : '';
  console.log(failed ? `contract: FAILED: ${failures} problems${knownText}` : `contract: passed${knownText}`);
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(`contract: ${error.stack || error}`);
      process.exit(2);
    },
  );
}
