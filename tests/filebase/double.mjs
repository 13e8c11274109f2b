#!/usr/bin/env node
// Filebase-behaviour test double: a real S3 server (s3rver) behind a strict
// SigV4 verifier that reports each object's IPFS CID in x-amz-meta-cid, an
// IPFS Pinning Service API under /pinning, and a control API for faults.
// See README.md beside this file.
//
//   node double.mjs --port P --control-port C --dir DIR --region us-east-1 \
//     --bucket B --access-key AK --secret-key SK --pinning-token T \
//     --profile kubo-add-cidv1|unixfs-v1-2025|unixfs-v0-2015
//     [--pin-delay-ms 200] [--min-part-size 5242880] [--quiet]
//
// Prints `ready <P> <C>` on stdout once both listeners are up (with the real
// ports when 0 was asked for); logs to stderr; exits 0 on SIGTERM/SIGINT.
import http from 'node:http'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import { cidOf, cidOfFile, wrongCid, PROFILES } from './lib/cid.mjs'
import { SigV4Verifier, AuthError, UNSIGNED_PAYLOAD, PRESIGN_PARAMS, splitTarget, parseQuery, canonicalPath, escapeUri } from './lib/sigv4.mjs'
import { errorXml, requestId, parseCompleteParts } from './lib/s3xml.mjs'
import { PinningService } from './lib/pinning.mjs'

const require = createRequire(import.meta.url)
const S3rver = require('s3rver')

// ---------------------------------------------------------------- options

function die (msg) {
  process.stderr.write(`filebase-double: ${msg}\n`)
  process.exit(2)
}

let parsed
try {
  parsed = parseArgs({
    options: {
      port: { type: 'string' },
      'control-port': { type: 'string' },
      dir: { type: 'string' },
      region: { type: 'string', default: 'us-east-1' },
      bucket: { type: 'string' },
      'access-key': { type: 'string' },
      'secret-key': { type: 'string' },
      'pinning-token': { type: 'string' },
      profile: { type: 'string', default: 'kubo-add-cidv1' },
      'pin-delay-ms': { type: 'string', default: '200' },
      'min-part-size': { type: 'string', default: String(5 * 1024 * 1024) },
      quiet: { type: 'boolean', default: false }
    },
    strict: true,
    allowPositionals: false
  }).values
} catch (err) {
  die(err.message)
}
for (const required of ['port', 'control-port', 'dir', 'bucket', 'access-key', 'secret-key', 'pinning-token']) {
  if (parsed[required] === undefined || parsed[required] === '') die(`--${required} is required`)
}
const portArg = (name) => {
  const v = parsed[name]
  if (!/^\d+$/.test(v) || Number(v) > 65535) die(`--${name} must be a TCP port (0 = any free port)`)
  return Number(v)
}
const OPT = {
  port: portArg('port'),
  controlPort: portArg('control-port'),
  dir: path.resolve(parsed.dir),
  region: parsed.region,
  bucket: parsed.bucket,
  accessKey: parsed['access-key'],
  secretKey: parsed['secret-key'],
  pinningToken: parsed['pinning-token'],
  profile: parsed.profile,
  pinDelayMs: Number(parsed['pin-delay-ms']),
  minPartSize: Number(parsed['min-part-size']),
  quiet: parsed.quiet
}
if (!PROFILES.includes(OPT.profile)) die(`--profile must be one of ${PROFILES.join(', ')}`)
if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(OPT.bucket) || OPT.bucket === 'pinning') {
  die('--bucket must be a valid S3 bucket name (3-63 of a-z 0-9 . -) and not "pinning"')
}
if (!Number.isFinite(OPT.pinDelayMs) || OPT.pinDelayMs < 0) die('--pin-delay-ms must be a number >= 0')
if (!Number.isInteger(OPT.minPartSize) || OPT.minPartSize < 0) die('--min-part-size must be an integer >= 0')

const HOST = '127.0.0.1'
const MAX_SMALL_BODY = 16 * 1024 * 1024 // non-upload bodies (XML, JSON) are read into memory
const S3_DIR = path.join(OPT.dir, 's3')
const SPOOL_DIR = path.join(OPT.dir, 'spool')

function log (msg) {
  if (!OPT.quiet) process.stderr.write(`filebase-double: ${msg}\n`)
}

// ---------------------------------------------------------------- request log

class RequestLog {
  constructor (max = 10000) {
    this.max = max
    this.entries = []
    this.nextId = 1
  }

  start (kind, req) {
    const { rawPath, rawQuery } = splitTarget(req.url)
    const e = {
      id: this.nextId++,
      time: new Date().toISOString(),
      kind,
      method: req.method,
      path: rawPath,
      query: rawQuery,
      status: null,
      sigVerified: null,
      auth: null,
      error: null,
      fault: null,
      cid: null,
      durationMs: null
    }
    if (kind === 'pinning') e.tokenOk = null
    e._t0 = process.hrtime.bigint()
    this.entries.push(e)
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max)
    return e
  }

  finish (e, status) {
    if (e.status !== null) return
    e.status = status
    e.durationMs = Number((process.hrtime.bigint() - e._t0) / 1000n) / 1000
    // One access-log line per request on stderr.
    const sig = e.kind === 'pinning' ? `token ${e.tokenOk === null ? '-' : e.tokenOk ? 'ok' : 'bad'}` : `sig ${e.sigVerified === null ? '-' : e.sigVerified ? `ok(${e.auth})` : 'BAD'}`
    log(`${e.kind} ${e.method} ${e.path}${e.query ? '?' + e.query : ''} -> ${status} ${sig}${e.error ? ' ' + e.error : ''}${e.fault ? ' fault=' + e.fault : ''}${e.cid ? ' cid=' + e.cid : ''} ${e.durationMs}ms`)
  }

  snapshot (since = 0) {
    return this.entries.filter((e) => e.id > since).map(({ _t0, ...rest }) => rest)
  }

  clear () {
    const n = this.entries.length
    this.entries = []
    return n
  }
}

// ---------------------------------------------------------------- faults

const MODES = ['none', 'down', 'hang', 'slowdown', 'wrong-cid', 'error500']
const TARGETS = ['s3', 'pinning', 'all']

class FaultError extends Error {}

class Faults {
  constructor ({ goDown, comeUp }) {
    this.goDown = goDown
    this.comeUp = comeUp
    this.mode = 'none'
    this.remaining = null
    this.target = 's3'
    this.until = null
    this.timer = null
    this.applied = 0
    this.chain = Promise.resolve()
  }

  state () {
    return { mode: this.mode, remaining: this.remaining, target: this.target, until: this.until, applied: this.applied }
  }

  // Serialised: down/up transitions must not interleave.
  set (spec) {
    const run = this.chain.then(() => this._set(spec))
    this.chain = run.catch(() => {})
    return run
  }

  async _set (spec) {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new FaultError('body must be a JSON object')
    const { mode, count, seconds, target = 's3' } = spec
    if (!MODES.includes(mode)) throw new FaultError(`mode must be one of ${MODES.join(', ')}`)
    if (count !== undefined && count !== null && !(Number.isInteger(count) && count >= 1)) throw new FaultError('count must be an integer >= 1 (absent: until changed)')
    if (seconds !== undefined && seconds !== null && !(typeof seconds === 'number' && seconds > 0 && seconds <= 3600)) throw new FaultError('seconds must be a number in (0, 3600]')
    if (!TARGETS.includes(target)) throw new FaultError(`target must be one of ${TARGETS.join(', ')}`)
    if (mode === 'down' && count !== undefined && count !== null) {
      throw new FaultError('"down" cannot be counted: while the port is closed no request arrives to count. Use "seconds", or set mode "none" to reopen')
    }
    const wasDown = this.mode === 'down'
    clearTimeout(this.timer)
    this.timer = null
    this.mode = mode
    this.remaining = mode === 'none' ? null : (count ?? null)
    this.target = mode === 'down' ? 'all' : target
    this.applied = 0
    this.until = mode !== 'none' && seconds ? new Date(Date.now() + seconds * 1000).toISOString() : null
    if (this.until !== null) {
      this.timer = setTimeout(() => { this.set({ mode: 'none' }).catch((err) => log(`fault expiry: ${err.message}`)) }, seconds * 1000)
    }
    log(`fault: ${JSON.stringify(this.state())}`)
    if (mode === 'down' && !wasDown) await this.goDown()
    if (mode !== 'down' && wasDown) await this.comeUp()
    return this.state()
  }

  consume () {
    this.applied++
    if (this.remaining !== null) {
      this.remaining--
      if (this.remaining <= 0) {
        this.set({ mode: 'none' }).catch((err) => log(`fault end: ${err.message}`))
        // Effective at once for the requests that follow.
        this.mode = 'none'
        this.remaining = null
      }
    }
  }

  // hang / slowdown / error500 for a request of this kind, or null.
  take (kind) {
    if (!['hang', 'slowdown', 'error500'].includes(this.mode)) return null
    if (this.target !== 'all' && this.target !== kind) return null
    const mode = this.mode
    this.consume()
    return mode
  }

  // wrong-cid for a response of this kind: S3 reports another x-amz-meta-cid, the pinning
  // service another pin.cid in every PinStatus of the answer.
  takeWrongCid (kind = 's3') {
    if (this.mode !== 'wrong-cid') return false
    if (this.target !== 'all' && this.target !== kind) return false
    this.consume()
    return true
  }

  close () {
    clearTimeout(this.timer)
  }
}

// ---------------------------------------------------------------- storage (s3rver)

fs.mkdirSync(S3_DIR, { recursive: true })
fs.rmSync(SPOOL_DIR, { recursive: true, force: true })
fs.mkdirSync(SPOOL_DIR, { recursive: true })

const s3rver = new S3rver({
  address: HOST,
  port: 0,
  silent: true,
  directory: S3_DIR,
  vhostBuckets: false,
  configureBuckets: [{ name: OPT.bucket }]
})
const s3addr = await s3rver.run()
const S3_ORIGIN = `http://${HOST}:${s3addr.port}`
const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 64 })
const uploadsDir = path.join(S3_DIR, OPT.bucket, '._S3rver_uploads') // s3rver 3.7 layout

// One request to s3rver. body: null | Buffer | { file, size }.
function upstream (method, pathAndQuery, headers, body) {
  return new Promise((resolve, reject) => {
    const h = { ...headers, host: `${HOST}:${s3addr.port}` }
    if (body === null) {
      if (method !== 'GET' && method !== 'HEAD' && method !== 'DELETE') h['content-length'] = '0'
    } else {
      h['content-length'] = String(Buffer.isBuffer(body) ? body.length : body.size)
    }
    const r = http.request({ host: HOST, port: s3addr.port, method, path: pathAndQuery, headers: h, agent: upstreamAgent }, resolve)
    r.on('error', reject)
    r.setTimeout(300000, () => r.destroy(new Error('s3rver did not answer within 300 s')))
    if (body === null) r.end()
    else if (Buffer.isBuffer(body)) r.end(body)
    else {
      const rs = fs.createReadStream(body.file, { highWaterMark: 1 << 20 })
      rs.on('error', (err) => r.destroy(err))
      rs.pipe(r)
    }
  })
}

async function readAll (stream, limit = MAX_SMALL_BODY) {
  const chunks = []
  let n = 0
  for await (const c of stream) {
    n += c.length
    if (n > limit) throw new Error(`body larger than ${limit} bytes`)
    chunks.push(c)
  }
  return Buffer.concat(chunks)
}

// Headers passed on to s3rver: the client's, less transport and auth ones.
const DROP_REQUEST_HEADERS = new Set([
  'host', 'authorization', 'connection', 'keep-alive', 'expect', 'transfer-encoding', 'content-length', 'te',
  'upgrade', 'proxy-authorization', 'proxy-connection', 'x-amz-date', 'x-amz-content-sha256',
  'x-amz-security-token', 'x-amz-meta-cid'
])
function forwardHeaders (req) {
  const h = {}
  for (const [k, v] of Object.entries(req.headers)) {
    if (!DROP_REQUEST_HEADERS.has(k)) h[k] = v
  }
  return h
}

const DROP_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'x-amz-meta-cid'])
function responseHeaders (up, extra = {}) {
  const h = {}
  for (const [k, v] of Object.entries(up.headers)) {
    if (!DROP_RESPONSE_HEADERS.has(k)) h[k] = v
  }
  return { ...h, ...extra }
}

// ---- multipart upload ids: s3rver's are 32 hex; clients see AWS-looking ids
// ("2~" + base64url), so that a client which does not encode them like AWS
// does is caught.
const externalUploadId = (hex) => '2~' + Buffer.from(hex, 'hex').toString('base64url')
function internalUploadId (ext) {
  if (typeof ext !== 'string' || !/^2~[A-Za-z0-9_-]{22}$/.test(ext)) return null
  const hex = Buffer.from(ext.slice(2), 'base64url').toString('hex')
  return hex.length === 32 ? hex : null
}

// GET/HEAD `response-*` overrides. s3rver honours them only for requests
// signed with its own key, so the double strips them and applies them itself.
const RESPONSE_OVERRIDES = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding'
}

// The query string for s3rver: presign parameters and response overrides
// removed, upload ids mapped.
function upstreamQuery (list) {
  const out = []
  for (const [name, value, raw] of list) {
    if (PRESIGN_PARAMS.includes(name) || name in RESPONSE_OVERRIDES) continue
    if (name === 'uploadId') out.push(`uploadId=${internalUploadId(value) ?? 'invalid'}`)
    else out.push(raw)
  }
  return out.length > 0 ? '?' + out.join('&') : ''
}

// ---------------------------------------------------------------- CIDs

const stripQuotes = (s) => (s ?? '').replace(/"/g, '')
const cidCache = new Map() // `${bucket}/${key}\n${etag}` → cid
const cidInflight = new Map()
function cacheCid (k, cid) {
  cidCache.set(k, cid)
  if (cidCache.size > 10000) cidCache.delete(cidCache.keys().next().value)
}

// CID of the object now stored at canonical path p (`/bucket/key`) with this
// ETag: from the cache, else streamed from s3rver through the importer.
async function cidForObject (p, etag) {
  const k = `${decodeURIComponent(p)}\n${stripQuotes(etag)}`
  if (cidCache.has(k)) return cidCache.get(k)
  if (cidInflight.has(k)) return cidInflight.get(k)
  const work = (async () => {
    const up = await upstream('GET', p, {}, null)
    if (up.statusCode !== 200) {
      up.resume()
      throw new Error(`reading ${p} back from s3rver: HTTP ${up.statusCode}`)
    }
    const cid = await cidOf(OPT.profile, up)
    const got = stripQuotes(up.headers.etag)
    cacheCid(`${decodeURIComponent(p)}\n${got}`, cid)
    if (got !== stripQuotes(etag)) log(`warning: ${p} changed while its CID was computed`)
    return cid
  })()
  cidInflight.set(k, work)
  try {
    return await work
  } finally {
    cidInflight.delete(k)
  }
}

// ---------------------------------------------------------------- state

const requests = new RequestLog()
const verifier = new SigV4Verifier({ region: OPT.region, accessKey: OPT.accessKey, secretKey: OPT.secretKey })
const pinning = new PinningService({
  token: OPT.pinningToken,
  bucket: OPT.bucket,
  delayMs: OPT.pinDelayMs,
  log,
  objectExists: async (key) => {
    const up = await upstream('HEAD', `/${escapeUri(OPT.bucket)}/${escapeUri(key)}`, {}, null)
    up.resume()
    return up.statusCode === 200
  }
})
const hung = new Set() // sockets of requests held open by the "hang" fault

// ---------------------------------------------------------------- responses

function send (ctx, status, headers, body) {
  const { res, entry } = ctx
  if (res.headersSent || res.destroyed) return
  const h = { 'x-amz-request-id': ctx.requestId, ...headers }
  if (ctx.closeAfter) h.connection = 'close'
  if (body !== undefined && body !== null && ctx.req.method !== 'HEAD') {
    h['content-length'] = String(Buffer.byteLength(body))
    res.writeHead(status, h)
    res.end(body)
  } else {
    if (body !== undefined && body !== null) h['content-length'] = String(Buffer.byteLength(body))
    res.writeHead(status, h)
    res.end()
  }
  requests.finish(entry, status)
}

function sendS3Error (ctx, status, code, message, extra = {}) {
  ctx.entry.error = code
  const { rawPath } = splitTarget(ctx.req.url)
  send(ctx, status, { 'content-type': 'application/xml' }, errorXml(code, message, extra, ctx.requestId, rawPath))
}

// Lets a client that sent `Expect: 100-continue` send its body.
function continueBody (ctx) {
  if (ctx.expectContinue && !ctx.continued) {
    ctx.continued = true
    ctx.res.writeContinue()
  }
}

// Answers before the body is read. A client still waiting for 100-continue
// has not sent its body: answer at once and close. Otherwise read (discard)
// the body first, so that the client sees the answer and not a reset.
async function early (ctx, fn) {
  if (ctx.expectContinue && !ctx.continued) {
    ctx.closeAfter = true
  } else {
    ctx.req.resume()
    await finished(ctx.req).catch(() => {})
  }
  fn()
}

async function drain (ctx) {
  continueBody(ctx)
  ctx.req.resume()
  await finished(ctx.req)
}

// Reads a small body into memory and hashes it.
async function readSmallBody (ctx) {
  continueBody(ctx)
  const body = await readAll(ctx.req)
  return { body, sha256: createHash('sha256').update(body).digest('hex') }
}

// Streams an upload body to a spool file while hashing it.
async function spoolBody (ctx) {
  continueBody(ctx)
  const file = path.join(SPOOL_DIR, randomBytes(12).toString('hex'))
  const hash = createHash('sha256')
  let size = 0
  const ws = fs.createWriteStream(file)
  try {
    for await (const chunk of ctx.req) {
      hash.update(chunk)
      size += chunk.length
      if (!ws.write(chunk)) await once(ws, 'drain')
    }
    ws.end()
    await once(ws, 'finish')
  } catch (err) {
    ws.destroy()
    await fsp.rm(file, { force: true })
    throw err
  }
  return { file, size, sha256: hash.digest('hex') }
}

function payloadMismatch (ctx, claimed, actual) {
  sendS3Error(ctx, 400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.",
    { ClientComputedContentSHA256: claimed, S3ComputedContentSHA256: actual })
}

// The CID header value for a response, with the wrong-cid fault applied.
function cidHeader (ctx, cid) {
  const reported = faults.takeWrongCid('s3') ? wrongCid(cid) : cid
  if (reported !== cid) ctx.entry.fault = 'wrong-cid'
  ctx.entry.cid = reported
  return { 'x-amz-meta-cid': reported }
}

// Relays an s3rver response (streaming its body) with extra headers.
async function relay (ctx, up, extra = {}) {
  const { res } = ctx
  if (res.destroyed) { up.resume(); return }
  const h = responseHeaders(up, { 'x-amz-request-id': ctx.requestId, ...extra })
  if (ctx.closeAfter) h.connection = 'close'
  res.writeHead(up.statusCode, h)
  if (up.statusCode >= 300) ctx.entry.error = ctx.entry.error ?? `HTTP ${up.statusCode}`
  requests.finish(ctx.entry, up.statusCode)
  // A client that leaves mid-body must not leave s3rver's answer half read.
  res.on('close', () => { if (!up.complete) up.destroy() })
  up.pipe(res)
  await finished(up).catch(() => {})
}

// Relays an s3rver response whose (small XML) body is rewritten.
async function relayRewritten (ctx, up, rewrite, extra = {}) {
  const body = (await readAll(up)).toString('utf8')
  const out = up.statusCode === 200 ? rewrite(body) : body
  const h = responseHeaders(up, { 'x-amz-request-id': ctx.requestId, ...extra })
  delete h['content-length']
  if (up.statusCode >= 300) ctx.entry.error = `HTTP ${up.statusCode}`
  send(ctx, up.statusCode, h, out)
}

// ---------------------------------------------------------------- S3

const OBJECT_SUBRESOURCES = ['acl', 'tagging', 'legal-hold', 'retention', 'torrent', 'uploadId', 'uploads', 'select', 'restore', 'attributes']

async function handleS3 (ctx) {
  const { req } = ctx
  let auth
  try {
    auth = await verifier.verify(req)
  } catch (err) {
    if (!(err instanceof AuthError)) throw err
    ctx.entry.sigVerified = false
    // The expected canonical request, one line, for whoever debugs a client.
    const creq = err.extra?.CanonicalRequest !== undefined ? ` expected canonical request ${JSON.stringify(err.extra.CanonicalRequest)}` : ''
    log(`${req.method} ${req.url}: ${err.code}: ${err.message}${creq}`)
    return early(ctx, () => sendS3Error(ctx, err.status, err.code, err.message, err.extra))
  }
  ctx.entry.sigVerified = true
  ctx.entry.auth = auth.mode

  const { rawPath, rawQuery } = splitTarget(req.url)
  const { list, map } = parseQuery(rawQuery)
  const cpath = canonicalPath(rawPath) // the key as s3rver should see it
  const slash = cpath.indexOf('/', 1)
  const hasKey = slash > 0 && slash < cpath.length - 1
  const q = upstreamQuery(list)
  const headers = forwardHeaders(req)
  const m = req.method
  const isSub = OBJECT_SUBRESOURCES.some((s) => s in map)

  // Payload check for bodies read into memory.
  const smallBody = async () => {
    const { body, sha256 } = await readSmallBody(ctx)
    if (auth.payloadHash !== UNSIGNED_PAYLOAD && sha256 !== auth.payloadHash) {
      payloadMismatch(ctx, auth.payloadHash, sha256)
      return null
    }
    return body
  }
  const needUpload = () => {
    const ext = map.uploadId
    const internal = internalUploadId(ext)
    if (internal === null || !fs.existsSync(path.join(uploadsDir, internal))) {
      return null
    }
    return internal
  }
  const noSuchUpload = () => early(ctx, () => sendS3Error(ctx, 404, 'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: map.uploadId }))

  if (hasKey && m === 'PUT' && !('x-amz-copy-source' in req.headers) && (!isSub || 'uploadId' in map || 'partNumber' in map)) {
    // PutObject or UploadPart: spool, check the payload hash, forward.
    const isPart = 'uploadId' in map || 'partNumber' in map
    if (isPart) {
      if (!/^\d+$/.test(map.partNumber ?? '') || Number(map.partNumber) < 1 || Number(map.partNumber) > 10000) {
        return early(ctx, () => sendS3Error(ctx, 400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive',
          { ArgumentName: 'partNumber', ArgumentValue: String(map.partNumber ?? '') }))
      }
      if (needUpload() === null) return noSuchUpload()
    }
    if (req.headers['content-length'] === undefined) {
      return early(ctx, () => sendS3Error(ctx, 411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.'))
    }
    const spool = await spoolBody(ctx)
    try {
      if (auth.payloadHash !== UNSIGNED_PAYLOAD && spool.sha256 !== auth.payloadHash) {
        return payloadMismatch(ctx, auth.payloadHash, spool.sha256)
      }
      if (isPart) {
        const up = await upstream('PUT', cpath + q, headers, spool)
        return relay(ctx, up)
      }
      const [cid, up] = await Promise.all([cidOfFile(OPT.profile, spool.file), upstream('PUT', cpath + q, headers, spool)])
      if (up.statusCode !== 200) return relay(ctx, up)
      cacheCid(`${decodeURIComponent(cpath)}\n${stripQuotes(up.headers.etag)}`, cid)
      return relay(ctx, up, cidHeader(ctx, cid))
    } finally {
      await fsp.rm(spool.file, { force: true })
    }
  }

  if (hasKey && m === 'POST' && 'uploads' in map) {
    // CreateMultipartUpload: hand out an AWS-looking upload id.
    const body = await smallBody()
    if (body === null) return
    const up = await upstream('POST', cpath + q, headers, body)
    return relayRewritten(ctx, up, (xml) => xml.replace(/<UploadId>([0-9a-f]{32})<\/UploadId>/, (_, hex) => `<UploadId>${externalUploadId(hex)}</UploadId>`))
  }

  if (hasKey && m === 'POST' && 'uploadId' in map) {
    // CompleteMultipartUpload: S3's checks (order, ETags, 5 MiB minimum), then the CID.
    const internal = needUpload()
    if (internal === null) return noSuchUpload()
    const body = await smallBody()
    if (body === null) return
    const parts = parseCompleteParts(body.toString('utf8'))
    if (parts.length === 0 || parts.some((p) => !Number.isInteger(p.number))) {
      return sendS3Error(ctx, 400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.')
    }
    for (let i = 1; i < parts.length; i++) {
      if (parts[i].number <= parts[i - 1].number) {
        return sendS3Error(ctx, 400, 'InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.')
      }
    }
    for (const [i, p] of parts.entries()) {
      const file = path.join(uploadsDir, internal, String(p.number))
      let size, md5
      try {
        size = (await fsp.stat(file)).size
        md5 = (await fsp.readFile(file + '.md5', 'utf8')).trim()
      } catch {
        size = null
      }
      if (size === null || md5 !== p.etag) {
        return sendS3Error(ctx, 400, 'InvalidPart', 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.',
          { UploadId: map.uploadId, PartNumber: String(p.number), ETag: p.etag })
      }
      if (i < parts.length - 1 && size < OPT.minPartSize) {
        return sendS3Error(ctx, 400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.',
          { ProposedSize: String(size), MinSizeAllowed: String(OPT.minPartSize), PartNumber: String(p.number), ETag: p.etag })
      }
    }
    const up = await upstream('POST', cpath + q, headers, body)
    if (up.statusCode !== 200) return relay(ctx, up)
    const xml = (await readAll(up)).toString('utf8')
    const etagMatch = /<ETag>([^<]*)<\/ETag>/.exec(xml)
    const etag = etagMatch ? etagMatch[1].replace(/&quot;/g, '"') : ''
    const cid = await cidForObject(cpath, etag)
    const origin = `http://${req.headers.host ?? `${HOST}:${OPT.port}`}`
    const h = responseHeaders(up, { 'x-amz-request-id': ctx.requestId, ...cidHeader(ctx, cid) })
    delete h['content-length']
    return send(ctx, 200, h, xml.split(S3_ORIGIN).join(origin))
  }

  if (hasKey && m === 'DELETE' && 'uploadId' in map) {
    // AbortMultipartUpload (s3rver has none).
    await drain(ctx)
    const internal = needUpload()
    if (internal === null) return noSuchUpload()
    await fsp.rm(path.join(uploadsDir, internal), { recursive: true, force: true })
    return send(ctx, 204, {})
  }

  if (hasKey && (m === 'GET' || m === 'HEAD') && !isSub) {
    // GetObject / HeadObject: the CID of the whole object, also on ranges.
    const overrides = {}
    for (const [name, value] of list) {
      if (!name.startsWith('response-')) continue
      if (!(name in RESPONSE_OVERRIDES)) {
        return early(ctx, () => sendS3Error(ctx, 400, 'InvalidArgument',
          `${name} is not in the set of overridable response headers. Please refer to the S3 API documentation for a complete list of overridable response headers.`,
          { ArgumentName: name, ArgumentValue: value }))
      }
      overrides[RESPONSE_OVERRIDES[name]] = value
    }
    const body = await smallBody()
    if (body === null) return
    const up = await upstream(m, cpath + q, headers, null)
    if (up.statusCode !== 200 && up.statusCode !== 206) return relay(ctx, up)
    let cid
    try {
      cid = await cidForObject(cpath, up.headers.etag)
    } catch (err) {
      up.destroy()
      throw err
    }
    return relay(ctx, up, { ...overrides, ...cidHeader(ctx, cid) })
  }

  // Anything else (ListObjects, DeleteObject, CopyObject, tagging...): as is.
  const body = await smallBody()
  if (body === null) return
  const up = await upstream(m, cpath + q, headers, body.length > 0 || !['GET', 'HEAD', 'DELETE'].includes(m) ? body : null)
  return relay(ctx, up)
}

// ---------------------------------------------------------------- pinning

// The wrong-cid fault on the pinning service: each PinStatus of the answer (one, or a list's
// results) names another CID than the pin's. Counted once per answer that carries a pin.
function lieAboutPins (ctx, json) {
  const statuses = Array.isArray(json?.results) ? json.results : json?.pin ? [json] : []
  if (statuses.length === 0 || !faults.takeWrongCid('pinning')) return
  for (const s of statuses) {
    if (s.pin && typeof s.pin.cid === 'string') s.pin = { ...s.pin, cid: wrongCid(s.pin.cid) }
  }
  ctx.entry.fault = 'wrong-cid'
}

async function handlePinning (ctx, sub) {
  const { req } = ctx
  continueBody(ctx)
  const body = await readAll(req, 1024 * 1024)
  const { rawQuery } = splitTarget(req.url)
  const result = await pinning.handle(req.method, sub, new URLSearchParams(rawQuery), req.headers, body)
  ctx.entry.tokenOk = result.status !== 401
  if (result.status >= 400) ctx.entry.error = result.json?.error?.reason ?? `HTTP ${result.status}`
  if (result.json === undefined) return send(ctx, result.status, {})
  lieAboutPins(ctx, result.json)
  send(ctx, result.status, { 'content-type': 'application/json' }, JSON.stringify(result.json))
}

// ---------------------------------------------------------------- front server

async function handle (req, res, expectContinue) {
  const { rawPath } = splitTarget(req.url)
  const isPinning = rawPath === '/pinning' || rawPath.startsWith('/pinning/')
  const kind = isPinning ? 'pinning' : 's3'
  const entry = requests.start(kind, req)
  const ctx = { req, res, entry, expectContinue, continued: false, closeAfter: false, requestId: requestId() }
  res.on('close', () => { if (entry.status === null && !hung.has(req.socket)) requests.finish(entry, res.headersSent ? res.statusCode : 0) })
  try {
    const fault = faults.take(kind)
    if (fault !== null) {
      entry.fault = fault
      if (fault === 'hang') {
        // Accept, read the request, never answer.
        log(`${kind} ${req.method} ${req.url} -> (hang: never answered)`)
        hung.add(req.socket)
        req.socket.once('close', () => hung.delete(req.socket))
        await drain(ctx).catch(() => {})
        return
      }
      await drain(ctx)
      if (kind === 'pinning') {
        const [status, reason] = fault === 'slowdown' ? [503, 'SERVICE_UNAVAILABLE'] : [500, 'INTERNAL_SERVER_ERROR']
        entry.error = reason
        return send(ctx, status, { 'content-type': 'application/json' }, JSON.stringify({ error: { reason, details: `injected fault ${fault}` } }))
      }
      if (fault === 'slowdown') return sendS3Error(ctx, 503, 'SlowDown', 'Please reduce your request rate.')
      return sendS3Error(ctx, 500, 'InternalError', 'We encountered an internal error. Please try again.')
    }
    if (isPinning) return await handlePinning(ctx, rawPath.slice('/pinning'.length) || '/')
    return await handleS3(ctx)
  } catch (err) {
    if (req.destroyed && (err.code === 'ECONNRESET' || err.code === 'ERR_STREAM_PREMATURE_CLOSE' || err.message === 'aborted')) {
      log(`${req.method} ${req.url}: the client went away (${err.message})`)
      requests.finish(entry, 0)
      return
    }
    log(`${req.method} ${req.url}: internal error: ${err.stack ?? err}`)
    if (res.headersSent) {
      res.destroy()
      requests.finish(entry, res.statusCode)
    } else if (!res.destroyed) {
      ctx.closeAfter = true
      if (isPinning) send(ctx, 500, { 'content-type': 'application/json' }, JSON.stringify({ error: { reason: 'INTERNAL_SERVER_ERROR', details: String(err.message) } }))
      else sendS3Error(ctx, 500, 'InternalError', `We encountered an internal error. Please try again. (${err.message})`)
    }
  }
}

function makeFront () {
  const server = http.createServer({ requestTimeout: 0, keepAliveTimeout: 20000 }, (req, res) => { handle(req, res, false) })
  server.on('checkContinue', (req, res) => { handle(req, res, true) })
  server.on('clientError', (err, socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
    else socket.destroy()
    if (err.code !== 'ECONNRESET' && err.code !== 'HPE_INVALID_EOF_STATE') log(`client error: ${err.code ?? ''} ${err.message}`)
  })
  return server
}

let front = makeFront()
let frontPort = OPT.port
let s3Listening = false

async function listen (server, port) {
  server.listen(port, HOST)
  await once(server, 'listening')
  return server.address().port
}

async function closeServer (server) {
  const closed = new Promise((resolve) => server.close(() => resolve()))
  server.closeAllConnections()
  for (const s of hung) s.destroy()
  await closed
}

const faults = new Faults({
  goDown: async () => {
    s3Listening = false
    await closeServer(front)
    log(`down: port ${frontPort} closed`)
  },
  comeUp: async () => {
    front = makeFront()
    await listen(front, frontPort)
    s3Listening = true
    log(`up: port ${frontPort} open again`)
  }
})

// ---------------------------------------------------------------- control server

function json (res, status, obj) {
  const body = JSON.stringify(obj, null, 2) + '\n'
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

const control = http.createServer(async (req, res) => {
  const { rawPath, rawQuery } = splitTarget(req.url)
  try {
    const body = await readAll(req, 1024 * 1024)
    const route = `${req.method} ${rawPath}`
    switch (route) {
      case 'GET /health':
        return json(res, 200, {
          status: 'ok',
          s3Listening,
          port: frontPort,
          controlPort,
          profile: OPT.profile,
          bucket: OPT.bucket,
          region: OPT.region,
          fault: faults.state(),
          pins: pinning.pins.size
        })
      case 'GET /fault':
        return json(res, 200, faults.state())
      case 'POST /fault': {
        let spec
        try {
          spec = JSON.parse(body.toString('utf8'))
        } catch {
          return json(res, 400, { error: 'body must be JSON' })
        }
        try {
          return json(res, 200, await faults.set(spec))
        } catch (err) {
          if (err instanceof FaultError) return json(res, 400, { error: err.message })
          throw err
        }
      }
      case 'GET /requests': {
        const since = Number(new URLSearchParams(rawQuery).get('since') ?? 0) || 0
        return json(res, 200, { requests: requests.snapshot(since) })
      }
      case 'POST /requests/clear':
        return json(res, 200, { cleared: requests.clear() })
      default:
        return json(res, 404, { error: `no route ${route}; see tests/filebase/README.md` })
    }
  } catch (err) {
    log(`control: ${err.stack ?? err}`)
    if (!res.headersSent) json(res, 500, { error: err.message })
  }
})

// ---------------------------------------------------------------- start / stop

let controlPort
try {
  frontPort = await listen(front, OPT.port)
  s3Listening = true
  controlPort = await listen(control, OPT.controlPort)
} catch (err) {
  log(`cannot listen: ${err.message}`)
  await s3rver.close().catch(() => {})
  process.exit(1)
}
log(`S3 on http://${HOST}:${frontPort}/${OPT.bucket}/ (s3rver at ${S3_ORIGIN}, storage ${S3_DIR}), pinning on http://${HOST}:${frontPort}/pinning, control on http://${HOST}:${controlPort}, profile ${OPT.profile}`)
process.stdout.write(`ready ${frontPort} ${controlPort}\n`)

let stopping = false
async function stop (signal) {
  if (stopping) return
  stopping = true
  log(`${signal}: stopping`)
  const force = setTimeout(() => { log('forced exit'); process.exit(0) }, 5000)
  force.unref()
  faults.close()
  pinning.close()
  await Promise.allSettled([
    s3Listening ? closeServer(front) : Promise.resolve(),
    closeServer(control)
  ])
  upstreamAgent.destroy()
  await s3rver.close().catch(() => {})
  fs.rmSync(SPOOL_DIR, { recursive: true, force: true })
  process.exit(0)
}
process.on('SIGTERM', () => { stop('SIGTERM') })
process.on('SIGINT', () => { stop('SIGINT') })
