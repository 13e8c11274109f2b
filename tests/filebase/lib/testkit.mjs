// Helpers for the self-tests: start/stop a double, sign S3 requests with
// @smithy/signature-v4 as an AWS SDK client would, call the control API.
// Every wait is bounded.
import http from 'node:http'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHash, createCipheriv } from 'node:crypto'
import { SignatureV4 } from '@smithy/signature-v4'
import { Hash } from '@smithy/hash-node'
import { escapeUri } from './sigv4.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
export const DOUBLE = join(HERE, '..', 'double.mjs')
export const AK = 'AKTESTFILEBASE000001'
export const SK = 'test-secret-key/with+special=chars'
export const REGION = 'us-east-1'
export const BUCKET = 'test-bucket'
export const TOKEN = 'pinning-token-123'

export const sha256hex = (b) => createHash('sha256').update(b).digest('hex')

// Starts a double on free ports; resolves once it printed `ready P C`.
export async function startDouble ({ profile = 'kubo-add-cidv1', args = [], timeoutMs = 20000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'filebase-double-test-'))
  const proc = spawn(process.execPath, [DOUBLE, '--port', '0', '--control-port', '0', '--dir', dir,
    '--region', REGION, '--bucket', BUCKET, '--access-key', AK, '--secret-key', SK,
    '--pinning-token', TOKEN, '--profile', profile, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  proc.stderr.on('data', (d) => { stderr += d })
  let stdout = ''
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`double not ready in ${timeoutMs} ms; stderr:\n${stderr}`)) }, timeoutMs)
    proc.stdout.on('data', (d) => {
      stdout += d
      const m = /^ready (\d+) (\d+)\n/.exec(stdout)
      if (m) { clearTimeout(timer); resolve({ port: Number(m[1]), controlPort: Number(m[2]) }) }
    })
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`double exited (${code}) before ready; stderr:\n${stderr}`)) })
  })
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })))
  return {
    ...ready,
    dir,
    proc,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async stop () {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
      const t = setTimeout(() => proc.kill('SIGKILL'), 8000)
      const r = await exited
      clearTimeout(t)
      rmSync(dir, { recursive: true, force: true })
      return r
    },
    control: (method, path, body) => control(ready.controlPort, method, path, body),
    s3: new S3Client({ port: ready.port })
  }
}

export async function control (port, method, path, body) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(10000)
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null }
}

// One raw HTTP request, bounded by timeoutMs. body: Buffer | string |
// (async) iterable of Buffers | undefined.
export function rawRequest ({ port, method, path, headers = {}, body, timeoutMs = 30000, expectContinue = false }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), continued }) })
      res.on('error', reject)
    })
    let continued = false
    const timer = setTimeout(() => { req.destroy(new Error(`timeout after ${timeoutMs} ms`)) }, timeoutMs)
    req.on('error', (err) => { clearTimeout(timer); reject(err) })
    const write = async () => {
      if (body === undefined) return req.end()
      if (typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Uint8Array) return req.end(body)
      for await (const c of body) {
        if (!req.write(c)) await new Promise((resolve) => req.once('drain', resolve))
      }
      req.end()
    }
    if (expectContinue) {
      req.on('continue', () => { continued = true; write().catch((err) => req.destroy(err)) })
      req.flushHeaders()
    } else {
      write().catch((err) => req.destroy(err))
    }
  })
}

// Query object → string the way the AWS SDK writes it (keys sorted, escapeUri).
export function queryString (query) {
  const parts = []
  for (const k of Object.keys(query).sort()) {
    const v = query[k]
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${escapeUri(k)}=${escapeUri(one)}`)
  }
  return parts.join('&')
}

export const keyPath = (key, bucket = BUCKET) => `/${bucket}/${key.split('/').map(escapeUri).join('/')}`

export class S3Client {
  constructor ({ port, accessKey = AK, secretKey = SK, region = REGION }) {
    this.port = port
    this.signer = new SignatureV4({
      service: 's3',
      region,
      credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false
    })
  }

  // Signs with the Authorization header. payloadHash: a hex string,
  // 'UNSIGNED-PAYLOAD', or undefined (= sha256 of a Buffer body).
  async signed ({ method, key, path, query = {}, headers = {}, body, payloadHash, signingDate, streamBody, timeoutMs, expectContinue }) {
    const p = path ?? keyPath(key)
    let hash = payloadHash
    if (hash === undefined) hash = sha256hex(body ?? Buffer.alloc(0))
    const request = {
      method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: this.port,
      path: p,
      query,
      headers: { host: `127.0.0.1:${this.port}`, 'x-amz-content-sha256': hash, ...headers }
    }
    if (body !== undefined && streamBody === undefined) request.headers['content-length'] = String(body.length)
    const signed = await this.signer.sign(request, { signingDate })
    const qs = queryString(query)
    return { headers: signed.headers, path: p + (qs ? `?${qs}` : ''), send: (overrides = {}) => rawRequest({
      port: this.port, method, path: p + (qs ? `?${qs}` : ''), headers: signed.headers, body: streamBody ?? body, timeoutMs, expectContinue, ...overrides
    }) }
  }

  async request (opts) {
    const s = await this.signed(opts)
    return s.send()
  }

  // A presigned URL path (+query) the way @aws-sdk/s3-request-presigner builds it.
  async presign ({ method = 'GET', key, query = {}, expiresIn = 60, signingDate }) {
    const request = {
      method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: this.port,
      path: keyPath(key),
      query,
      headers: { host: `127.0.0.1:${this.port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }
    }
    const p = await this.signer.presign(request, {
      expiresIn,
      signingDate,
      unsignableHeaders: new Set(['x-amz-content-sha256']),
      unhoistableHeaders: new Set(['x-amz-content-sha256'])
    })
    return `${p.path}?${queryString(p.query)}`
  }
}

// Bytes where byte i is i % 251 (the ipfs-specs.md §1.12 "pattern N").
export function pattern (n) {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = i % 251
  return b
}

// DRNG(size, seed) of ipfs-specs.md §1.11, as a generator of Buffers.
export function * drng (size, seed, piece = 1 << 20) {
  const key = createHash('sha256').update(seed, 'utf8').digest()
  const cipher = createCipheriv('chacha20', key, Buffer.alloc(16))
  const zeros = Buffer.alloc(piece)
  let left = size
  while (left > 0) {
    const n = Math.min(piece, left)
    yield cipher.update(n === piece ? zeros : zeros.subarray(0, n))
    left -= n
  }
}

export function drngSha256 (size, seed) {
  const h = createHash('sha256')
  for (const c of drng(size, seed)) h.update(c)
  return h.digest('hex')
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// XML element text (first match).
export const xmlText = (xml, tag) => {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(String(xml))
  return m ? m[1] : null
}
