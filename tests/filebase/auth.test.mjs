// SigV4 verification: what AWS accepts is accepted, anything else is refused
// with S3's error. Besides @smithy/signature-v4 (as a client), a small
// independent signer below builds canonical requests by hand, so that the
// double is checked against the spec and not only against the library it
// uses, and so that known client mistakes (libcurl 7.88's canonical query
// string) can be reproduced.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { startDouble, rawRequest, sha256hex, xmlText, sleep, AK, SK, REGION, BUCKET, pattern } from './lib/testkit.mjs'

const EMPTY = sha256hex(Buffer.alloc(0))
const hmac = (k, s) => createHmac('sha256', k).update(s).digest()
const amzDateOf = (d) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')

// Signs exactly the canonical URI / query given (no normalisation at all).
function manualAuth ({ method, canonicalUri, canonicalQuery, headers, payloadHash, amzDate, secret = SK, region = REGION, ak = AK }) {
  const names = Object.keys(headers).sort()
  const canonicalHeaders = names.map((n) => `${n}:${String(headers[n]).trim()}\n`).join('')
  const signedHeaders = names.join(';')
  const creq = [method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n')
  const scope = `${amzDate.slice(0, 8)}/${region}/s3/aws4_request`
  const sts = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(creq)].join('\n')
  let k = hmac('AWS4' + secret, amzDate.slice(0, 8))
  for (const part of [region, 's3', 'aws4_request']) k = hmac(k, part)
  return `AWS4-HMAC-SHA256 Credential=${ak}/${scope}, SignedHeaders=${signedHeaders}, Signature=${hmac(k, sts).toString('hex')}`
}

// Sends method path?query signed by manualAuth over the canonical forms given.
function manual (d, { method, path, query = '', canonicalUri = path, canonicalQuery = query, body, extraHeaders = {}, ...rest }) {
  const amzDate = amzDateOf(new Date())
  const payloadHash = body === undefined ? EMPTY : sha256hex(body)
  const headers = { host: `127.0.0.1:${d.port}`, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate, ...extraHeaders }
  if (body !== undefined) headers['content-length'] = String(body.length)
  const authorization = manualAuth({ method, canonicalUri, canonicalQuery, headers, payloadHash, amzDate, ...rest })
  return rawRequest({ port: d.port, method, path: path + (query ? `?${query}` : ''), headers: { ...headers, authorization }, body })
}

describe('SigV4 verification', () => {
  let d
  before(async () => { d = await startDouble() })
  after(async () => { await d?.stop() })

  test('an independent hand-made signature is accepted (CreateMultipartUpload with canonical `uploads=`)', async () => {
    const r = await manual(d, { method: 'POST', path: `/${BUCKET}/hand`, query: 'uploads', canonicalQuery: 'uploads=' })
    assert.equal(r.status, 200, r.body.toString())
    assert.match(xmlText(r.body, 'UploadId'), /^2~/)
  })

  test('libcurl-7.88-style `uploads` without `=` in the canonical query → 403 SignatureDoesNotMatch', async () => {
    const r = await manual(d, { method: 'POST', path: `/${BUCKET}/hand`, query: 'uploads', canonicalQuery: 'uploads' })
    assert.equal(r.status, 403)
    assert.equal(xmlText(r.body, 'Code'), 'SignatureDoesNotMatch')
    // Like AWS, the answer shows the canonical request the server expected.
    assert.match(r.body.toString(), /<CanonicalRequest>POST\n\/test-bucket\/hand\nuploads=\n/)
  })

  test('query parameters must be signed sorted: unsorted canonical query → 403, sorted → 200', async () => {
    const init = await manual(d, { method: 'POST', path: `/${BUCKET}/parts`, query: 'uploads', canonicalQuery: 'uploads=' })
    const uploadId = xmlText(init.body, 'UploadId')
    const enc = encodeURIComponent(uploadId).replace(/~/g, '%7E') // what a naive client does with `~`
    const sent = `uploadId=${encodeURIComponent(uploadId)}&partNumber=1`
    const body = Buffer.from('part one')
    const unsorted = await manual(d, { method: 'PUT', path: `/${BUCKET}/parts`, query: sent, canonicalQuery: sent, body })
    assert.equal(unsorted.status, 403)
    assert.equal(xmlText(unsorted.body, 'Code'), 'SignatureDoesNotMatch')
    const overEncoded = await manual(d, { method: 'PUT', path: `/${BUCKET}/parts`, query: sent, canonicalQuery: `partNumber=1&uploadId=${enc}`, body })
    assert.equal(overEncoded.status, 403, 'AWS UriEncode keeps ~ unencoded')
    const sorted = await manual(d, { method: 'PUT', path: `/${BUCKET}/parts`, query: sent, canonicalQuery: `partNumber=1&uploadId=${uploadId}`, body })
    assert.equal(sorted.status, 200, sorted.body.toString())
  })

  test('percent-encoding in the canonical query must be upper-case and complete', async () => {
    const q = 'list-type=2&prefix=a%2Fb%20c'
    const ok = await manual(d, { method: 'GET', path: `/${BUCKET}`, query: q })
    assert.equal(ok.status, 200, ok.body.toString())
    const lower = await manual(d, { method: 'GET', path: `/${BUCKET}`, query: q, canonicalQuery: 'list-type=2&prefix=a%2fb%20c' })
    assert.equal(lower.status, 403)
    const raw = await manual(d, { method: 'GET', path: `/${BUCKET}`, query: q, canonicalQuery: 'list-type=2&prefix=a/b c' })
    assert.equal(raw.status, 403)
    // '+' in a query string means space, as in S3.
    const plus = await manual(d, { method: 'GET', path: `/${BUCKET}`, query: 'list-type=2&prefix=a+b', canonicalQuery: 'list-type=2&prefix=a%20b' })
    assert.equal(plus.status, 200, plus.body.toString())
  })

  test('canonical URI: S3 encodes the path once and does not normalise it', async () => {
    const body = Buffer.from('x')
    const path = `/${BUCKET}/a%20b/c%2Bd`
    const ok = await manual(d, { method: 'PUT', path, body })
    assert.equal(ok.status, 200, ok.body.toString())
    const doubled = await manual(d, { method: 'PUT', path, canonicalUri: `/${BUCKET}/a%2520b/c%252Bd`, body })
    assert.equal(doubled.status, 403, 'double-encoded (non-S3 services) canonical URI')
    const unencoded = await manual(d, { method: 'PUT', path, canonicalUri: `/${BUCKET}/a b/c+d`, body })
    assert.equal(unencoded.status, 403)
    const dots = await manual(d, { method: 'PUT', path: `/${BUCKET}/x/../y`, canonicalUri: `/${BUCKET}/y`, body })
    assert.equal(dots.status, 403, 'no dot-segment normalisation')
  })

  test('a tampered signature → 403 SignatureDoesNotMatch with StringToSign', async () => {
    const s = await d.s3.signed({ method: 'GET', path: `/${BUCKET}`, query: { 'list-type': '2' } })
    const auth = s.headers.authorization
    const last = auth.at(-1) === '0' ? '1' : '0'
    const r = await s.send({ headers: { ...s.headers, authorization: auth.slice(0, -1) + last } })
    assert.equal(r.status, 403)
    assert.equal(xmlText(r.body, 'Code'), 'SignatureDoesNotMatch')
    assert.match(r.body.toString(), /<StringToSign>AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}<\/StringToSign>/)
  })

  test('a signed header changed after signing → 403 SignatureDoesNotMatch', async () => {
    const body = Buffer.from('hello')
    const s = await d.s3.signed({ method: 'PUT', key: 'ct', body, headers: { 'content-type': 'text/plain' } })
    const r = await s.send({ headers: { ...s.headers, 'content-type': 'text/html' } })
    assert.equal(r.status, 403)
    assert.equal(xmlText(r.body, 'Code'), 'SignatureDoesNotMatch')
  })

  test('an x-amz-* header that is not signed → 403 AccessDenied', async () => {
    const body = Buffer.from('hello')
    const s = await d.s3.signed({ method: 'PUT', key: 'meta', body })
    const r = await s.send({ headers: { ...s.headers, 'x-amz-meta-extra': 'sneaky' } })
    assert.equal(r.status, 403)
    assert.equal(xmlText(r.body, 'Code'), 'AccessDenied')
    assert.equal(xmlText(r.body, 'HeadersNotSigned'), 'x-amz-meta-extra')
  })

  test('a wrong payload hash → 400 XAmzContentSHA256Mismatch, nothing stored', async () => {
    const body = Buffer.from('the real body')
    const r = await d.s3.request({ method: 'PUT', key: 'wronghash', body, payloadHash: sha256hex(Buffer.from('another body')) })
    assert.equal(r.status, 400)
    assert.equal(xmlText(r.body, 'Code'), 'XAmzContentSHA256Mismatch')
    assert.equal(xmlText(r.body, 'S3ComputedContentSHA256'), sha256hex(body))
    const h = await d.s3.request({ method: 'HEAD', key: 'wronghash' })
    assert.equal(h.status, 404)
  })

  test('a large body with a wrong payload hash is refused too (streamed check)', async () => {
    const body = pattern(3 * 1024 * 1024 + 7)
    const r = await d.s3.request({ method: 'PUT', key: 'wronghash-big', body, payloadHash: EMPTY })
    assert.equal(r.status, 400)
    assert.equal(xmlText(r.body, 'Code'), 'XAmzContentSHA256Mismatch')
  })

  test('missing x-amz-content-sha256 → 400 InvalidRequest', async () => {
    const amzDate = amzDateOf(new Date())
    const headers = { host: `127.0.0.1:${d.port}`, 'x-amz-date': amzDate }
    const authorization = manualAuth({ method: 'GET', canonicalUri: `/${BUCKET}/x`, canonicalQuery: '', headers, payloadHash: EMPTY, amzDate })
    const r = await rawRequest({ port: d.port, method: 'GET', path: `/${BUCKET}/x`, headers: { ...headers, authorization } })
    assert.equal(r.status, 400)
    assert.equal(xmlText(r.body, 'Code'), 'InvalidRequest')
  })

  test('unknown access key → 403 InvalidAccessKeyId', async () => {
    const r = await manual(d, { method: 'GET', path: `/${BUCKET}/x`, ak: 'AKUNKNOWN' })
    assert.equal(r.status, 403)
    assert.equal(xmlText(r.body, 'Code'), 'InvalidAccessKeyId')
  })

  test('wrong secret → 403 SignatureDoesNotMatch', async () => {
    const r = await manual(d, { method: 'GET', path: `/${BUCKET}/x`, secret: 'wrong' })
    assert.equal(r.status, 403)
    assert.equal(xmlText(r.body, 'Code'), 'SignatureDoesNotMatch')
  })

  test('wrong region → 400 AuthorizationHeaderMalformed', async () => {
    const r = await manual(d, { method: 'GET', path: `/${BUCKET}/x`, region: 'eu-west-1' })
    assert.equal(r.status, 400)
    assert.equal(xmlText(r.body, 'Code'), 'AuthorizationHeaderMalformed')
    assert.equal(xmlText(r.body, 'Region'), REGION)
  })

  test('a request dated 20 minutes ago → 403 RequestTimeTooSkewed', async () => {
    const r = await d.s3.request({ method: 'GET', key: 'x', signingDate: new Date(Date.now() - 20 * 60 * 1000) })
    assert.equal(r.status, 403)
    assert.equal(xmlText(r.body, 'Code'), 'RequestTimeTooSkewed')
  })

  test('anonymous requests → 403 AccessDenied', async () => {
    const r = await rawRequest({ port: d.port, method: 'GET', path: `/${BUCKET}/x` })
    assert.equal(r.status, 403)
    assert.equal(xmlText(r.body, 'Code'), 'AccessDenied')
  })

  test('HEAD errors carry no body', async () => {
    const r = await rawRequest({ port: d.port, method: 'HEAD', path: `/${BUCKET}/x` })
    assert.equal(r.status, 403)
    assert.equal(r.body.length, 0)
  })

  test('bad signature with Expect: 100-continue → 403 before the body is sent', async () => {
    const body = pattern(1024 * 1024)
    const s = await d.s3.signed({ method: 'PUT', key: 'expect-bad', body, headers: { expect: '100-continue' }, expectContinue: true })
    const r = await s.send({ headers: { ...s.headers, authorization: s.headers.authorization.replace(/Signature=./, 'Signature=x') } })
    assert.equal(r.status, 403)
    assert.equal(r.continued, false)
    assert.equal(r.headers.connection, 'close')
  })

  test('the request log records whether each signature verified', async () => {
    await d.control('POST', '/requests/clear')
    await d.s3.request({ method: 'GET', path: `/${BUCKET}`, query: { 'list-type': '2' } })
    await manual(d, { method: 'GET', path: `/${BUCKET}/x`, secret: 'wrong' })
    const { json } = await d.control('GET', '/requests')
    assert.equal(json.requests.length, 2)
    assert.deepEqual(json.requests.map((e) => [e.kind, e.method, e.path, e.query, e.status, e.sigVerified, e.auth]), [
      ['s3', 'GET', `/${BUCKET}`, 'list-type=2', 200, true, 'header'],
      ['s3', 'GET', `/${BUCKET}/x`, '', 403, false, null]
    ])
    assert.ok(!Number.isNaN(Date.parse(json.requests[0].time)))
  })
})

describe('presigned URLs', () => {
  let d
  before(async () => {
    d = await startDouble()
    await d.s3.request({ method: 'PUT', key: 'dir/pre signed+€.txt', body: Buffer.from('hello world\n') })
  })
  after(async () => { await d?.stop() })

  test('a presigned GET works and reports the CID', async () => {
    const url = await d.s3.presign({ key: 'dir/pre signed+€.txt', expiresIn: 300 })
    const r = await rawRequest({ port: d.port, method: 'GET', path: url })
    assert.equal(r.status, 200, r.body.toString())
    assert.equal(r.body.toString(), 'hello world\n')
    assert.equal(r.headers['x-amz-meta-cid'], 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4')
    const { json } = await d.control('GET', '/requests')
    assert.equal(json.requests.at(-1).auth, 'query')
    assert.equal(json.requests.at(-1).sigVerified, true)
  })

  test('a presigned HEAD works', async () => {
    const url = await d.s3.presign({ method: 'HEAD', key: 'dir/pre signed+€.txt' })
    const r = await rawRequest({ port: d.port, method: 'HEAD', path: url })
    assert.equal(r.status, 200)
  })

  test('a presigned URL expires: signed 2 min ago for 60 s → 403 AccessDenied', async () => {
    const url = await d.s3.presign({ key: 'dir/pre signed+€.txt', expiresIn: 60, signingDate: new Date(Date.now() - 120000) })
    const r = await rawRequest({ port: d.port, method: 'GET', path: url })
    assert.equal(r.status, 403)
    assert.equal(xmlText(r.body, 'Code'), 'AccessDenied')
    assert.equal(xmlText(r.body, 'Message'), 'Request has expired')
  })

  test('a presigned URL expires in real time (X-Amz-Expires=2)', async () => {
    // X-Amz-Date has whole seconds: the URL is valid for 1 to 2 s.
    const url = await d.s3.presign({ key: 'dir/pre signed+€.txt', expiresIn: 2 })
    assert.equal((await rawRequest({ port: d.port, method: 'GET', path: url })).status, 200)
    await sleep(3100)
    const r = await rawRequest({ port: d.port, method: 'GET', path: url })
    assert.equal(r.status, 403)
    assert.equal(xmlText(r.body, 'Message'), 'Request has expired')
  })

  test('a tampered presigned URL → 403 SignatureDoesNotMatch', async () => {
    const url = await d.s3.presign({ key: 'dir/pre signed+€.txt' })
    const r = await rawRequest({ port: d.port, method: 'GET', path: url.replace('pre%20signed', 'pre%20signeD') })
    assert.equal(r.status, 403)
    assert.equal(xmlText(r.body, 'Code'), 'SignatureDoesNotMatch')
  })

  test('X-Amz-Expires over a week → 400 AuthorizationQueryParametersError', async () => {
    const url = await d.s3.presign({ key: 'dir/pre signed+€.txt' })
    const r = await rawRequest({ port: d.port, method: 'GET', path: url.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801') })
    assert.equal(r.status, 400)
    assert.equal(xmlText(r.body, 'Code'), 'AuthorizationQueryParametersError')
  })

  test('a presigned PUT stores the object and reports its CID', async () => {
    const url = await d.s3.presign({ method: 'PUT', key: 'presigned-put.txt' })
    const r = await rawRequest({ port: d.port, method: 'PUT', path: url, body: Buffer.from('hello world\n'), headers: { 'content-length': '12' } })
    assert.equal(r.status, 200, r.body.toString())
    assert.equal(r.headers['x-amz-meta-cid'], 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4')
  })
})
