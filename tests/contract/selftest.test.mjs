// The contract checker itself (ctest contract_checker_selftest, label docs): each kind of
// problem it exists to catch is caught, and what the document allows passes. Runs against the
// real docs/openapi.yaml with made-up exchanges, so it needs no stack.
import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {ContractChecker, loadDocument, pathSegments} from './check_contract.mjs';

const spec = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/openapi.yaml');
const api = await loadDocument(spec);

function exchange(overrides) {
  const body = overrides.json === undefined ? overrides.body ?? '' : JSON.stringify(overrides.json);
  return {
    test: 'Selftest.Case',
    stack: 'local',
    origin: 'https://127.0.0.1:8443',
    method: 'GET',
    path: '/health',
    query: null,
    request_headers: [],
    status: 200,
    response_headers: [
      ['content-type', 'application/json'],
      ['x-request-id', 'abcDEF123'],
      ['server', 'nginx'],
      ['date', 'Mon, 01 Jan 2026 00:00:00 GMT'],
    ],
    body_bytes: Buffer.byteLength(body),
    body_recorded: 'full',
    transport_error: null,
    ...overrides,
    body,
  };
}

const error = (status, code, details = {}) => ({
  status,
  message: 'm',
  error: {code, details, request_id: 'abcDEF123'},
});

function problemsOf(...exchanges) {
  const checker = new ContractChecker(api);
  for (const e of exchanges) checker.check(e);
  return [...checker.problems.values()].map((p) => `${p.kind}: ${p.where}: ${p.message}`);
}

test('a documented exchange passes', () => {
  assert.deepEqual(problemsOf(exchange({json: {status: 200, message: 'ok', data: {status: 'ok'}}})), []);
});

test('a request that matches no operation fails unless it is a documented 404/405', () => {
  assert.match(problemsOf(exchange({path: '/nope', status: 200, json: {}}))[0], /^no operation: GET \/nope/);
  const notFound = exchange({path: '/nope', status: 404, json: error(404, 'not_found', {path: '/nope'})});
  assert.deepEqual(problemsOf(notFound), []);
  const allowed = exchange({
    path: '/register',
    status: 405,
    json: error(405, 'method_not_allowed', {allow: 'POST'}),
  });
  allowed.response_headers.push(['allow', 'POST']);
  assert.deepEqual(problemsOf(allowed), []);
  const wrongAllow = exchange({path: '/register', status: 405, json: error(405, 'method_not_allowed')});
  wrongAllow.response_headers.push(['allow', 'GET, POST']);
  assert.match(problemsOf(wrongAllow)[0], /^allow: GET \/register: Allow "GET, POST" differs/);
  assert.match(problemsOf(exchange({method: 'PATCH', path: '/files', status: 200, json: {}}))[0], /^no operation: PATCH \/files/);
});

test('an undocumented status fails', () => {
  assert.deepEqual(problemsOf(exchange({status: 418, json: error(418, 'bad_request')})), [
    'status: GET /health: HTTP 418 is not documented',
  ]);
});

test('a body that does not match the schema fails, and an error code outside the enum', () => {
  assert.match(
    problemsOf(exchange({json: {status: 200, message: 'ok', data: {status: 'ok', extra: 1}}}))[0],
    /^schema: GET \/health 200: .*must NOT have additional properties \(extra\)/,
  );
  const bogus = problemsOf(exchange({path: '/files', status: 401, json: error(401, 'no_such_code')}));
  assert.ok(bogus.includes('error code: GET /files 401: error code "no_such_code" is not in the ErrorCode enum'), bogus.join('\n'));
  // a code of the enum, but not one this response documents
  assert.match(problemsOf(exchange({path: '/files', status: 401, json: error(401, 'forbidden')}))[0], /^schema: GET \/files 401/);
});

test('headers: undocumented, required and malformed ones fail; generic ones pass', () => {
  const extra = exchange({json: {status: 200, message: 'ok', data: {status: 'ok'}}});
  extra.response_headers.push(['x-powered-by', 'php'], ['strict-transport-security', 'max-age=1']);
  assert.deepEqual(problemsOf(extra), ['header: GET /health 200: undocumented header x-powered-by']);
  const noId = exchange({json: {status: 200, message: 'ok', data: {status: 'ok'}}});
  noId.response_headers = noId.response_headers.filter(([n]) => n !== 'x-request-id');
  assert.deepEqual(problemsOf(noId), ['header: GET /health 200: required header x-request-id is missing']);
  const badRate = exchange({path: '/usage', json: {status: 200, message: 'Usage', data: {file_count: 0, stored_bytes: 0, pinned_bytes: 0, request_count: 1}}});
  badRate.response_headers.push(['ratelimit', 'key=97']);
  assert.match(problemsOf(badRate)[0], /^header: GET \/usage 200: header ratelimit: "key=97" .*pattern/);
});

test('media types and bodies', () => {
  const html = exchange({path: '/nope', status: 404, body: '<html></html>'});
  html.response_headers[0] = ['content-type', 'text/html'];
  assert.match(problemsOf(html)[0], /^media type: x-unmatched-requests 404: Content-Type "text\/html"/);
  const notJson = exchange({body: 'not json'});
  assert.match(problemsOf(notJson)[0], /^body: GET \/health 200: Content-Type says JSON but the body is not/);
  const cut = exchange({json: {status: 200, message: 'ok', data: {status: 'ok'}}, body_recorded: 'truncated'});
  assert.match(problemsOf(cut)[0], /could not be checked/);
  const headWithBody = exchange({method: 'HEAD', path: '/health', json: {status: 200}});
  assert.match(problemsOf(headWithBody)[0], /a HEAD response with a body/);
});

test('HEAD is checked against GET; downloads by type only', () => {
  const head = exchange({method: 'HEAD', path: '/files', body: ''});
  head.body_bytes = 0;
  head.response_headers.push(['x-total-count', '0'], ['link', '</files?page=1>; rel="first", </files?page=1>; rel="last"']);
  assert.deepEqual(problemsOf(head), []);
  const download = exchange({path: '/retrieve/bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e', body: null, body_bytes: 11, body_recorded: 'omitted'});
  download.response_headers = [
    ['content-type', 'application/octet-stream'],
    ['x-request-id', 'abcDEF123'],
    ['etag', '"bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"'],
    ['cache-control', 'private, max-age=29030400, immutable'],
    ['accept-ranges', 'bytes'],
    ['content-disposition', "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt"],
  ];
  assert.deepEqual(problemsOf(download), []);
});

test('coverage: operations no exchange exercised are named', () => {
  const checker = new ContractChecker(api);
  checker.check(exchange({json: {status: 200, message: 'ok', data: {status: 'ok'}}}));
  const missing = checker.unexercised();
  assert.ok(!missing.includes('GET /health'));
  assert.ok(missing.includes('POST /upload'));
  assert.equal(missing.length, checker.operations.length - 1);
});

test('skipped: the plain-HTTP redirect port', () => {
  const checker = new ContractChecker(api);
  checker.check(exchange({origin: 'http://127.0.0.1:8080', status: 308, body: ''}));
  assert.equal(checker.problems.size, 0);
  assert.equal(checker.counts.plainHttp, 1);
});

test('paths are matched as the gateway routes them', () => {
  assert.deepEqual(pathSegments('/admin/users/ada%40example.com/plan'), ['admin', 'users', 'ada@example.com', 'plan']);
  assert.deepEqual(pathSegments('//files/'), ['files']);
  assert.deepEqual(pathSegments('/files/../health'), ['health']);
});

test('known deviations: matched problems are marked, unmatched entries reported', () => {
  const checker = new ContractChecker(api);
  const extra = exchange({json: {status: 200, message: 'ok', data: {status: 'ok'}}});
  extra.response_headers.push(['x-powered-by', 'php']);
  checker.check(extra);
  const deviations = [
    {kind: 'header', where: /^GET \/health 200$/, message: /^undocumented header x-powered-by$/, bug: 'b1'},
    {kind: 'status', where: /./, message: /./, bug: 'b2'},
  ];
  const {problems, unused} = checker.classify(deviations);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].known, deviations[0]);
  assert.deepEqual(unused, [deviations[1]]);
  assert.equal(checker.classify([]).problems[0].known, undefined);
});
