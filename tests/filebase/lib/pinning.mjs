// IPFS Pinning Service API 1.0.0 (ipfs/pinning-services-api-spec), in memory.
//
// Filebase pins content it can find. The double's rule, deterministic:
//   POST /pins creates the pin as `queued`; `delayMs` (default 200) later it
//   becomes `pinned` if the bucket holds an object whose key is the pin's CID
//   (as given, or in its canonical string form), else `failed` with
//   info.status_details saying why. The decision is taken once.
import { randomUUID } from 'node:crypto'
import { parseCid } from './cid.mjs'

const STATUSES = ['queued', 'pinning', 'pinned', 'failed']
const MATCHES = ['exact', 'iexact', 'partial', 'ipartial']
// A syntactically valid libp2p peer id; no IPFS node stands behind it.
export const DELEGATE = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'

class HttpError extends Error {
  constructor (status, reason, details) {
    super(details)
    this.status = status
    this.reason = reason
  }
}

// RFC 3339 → { ms, extra } where extra says the instant lies strictly after
// ms (sub-millisecond digits were non-zero). Throws HttpError on bad input.
function parseTime (name, s) {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i.exec(s)
  if (!m) throw new HttpError(400, 'BAD_REQUEST', `${name} must be an RFC 3339 date-time`)
  const frac = m[2] ?? ''
  const ms = Date.parse(`${m[1]}.${(frac + '000').slice(0, 3)}${m[3].toUpperCase()}`)
  if (Number.isNaN(ms)) throw new HttpError(400, 'BAD_REQUEST', `${name} must be an RFC 3339 date-time`)
  return { ms, extra: /[1-9]/.test(frac.slice(3)) }
}

function validatePin (body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'BAD_REQUEST', 'body must be a Pin object')
  }
  const { cid, name, origins, meta } = body
  if (typeof cid !== 'string' || parseCid(cid) === null) {
    throw new HttpError(400, 'BAD_REQUEST', 'pin.cid must be a valid CID')
  }
  if (name !== undefined && (typeof name !== 'string' || name.length > 255)) {
    throw new HttpError(400, 'BAD_REQUEST', 'pin.name must be a string of at most 255 characters')
  }
  if (origins !== undefined && (!Array.isArray(origins) || origins.length > 20 ||
      origins.some((o) => typeof o !== 'string') || new Set(origins).size !== origins.length)) {
    throw new HttpError(400, 'BAD_REQUEST', 'pin.origins must be an array of at most 20 unique multiaddr strings')
  }
  if (meta !== undefined && (meta === null || typeof meta !== 'object' || Array.isArray(meta) ||
      Object.values(meta).some((v) => typeof v !== 'string'))) {
    throw new HttpError(400, 'BAD_REQUEST', 'pin.meta must be an object of string values')
  }
  const pin = { cid }
  if (name !== undefined) pin.name = name
  if (origins !== undefined) pin.origins = origins
  if (meta !== undefined) pin.meta = meta
  return pin
}

export class PinningService {
  // objectExists(key) → Promise<boolean>: is there an object with this key.
  constructor ({ token, bucket, objectExists, delayMs = 200, log = () => {} }) {
    this.token = token
    this.bucket = bucket
    this.objectExists = objectExists
    this.delayMs = delayMs
    this.log = log
    this.pins = new Map() // requestid → { status, created (ms), pin, info }
    this.timers = new Set()
    this.lastCreated = 0
  }

  close () {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  // Globally unique, strictly increasing creation times (the spec pages on them).
  nextCreated () {
    this.lastCreated = Math.max(Date.now(), this.lastCreated + 1)
    return this.lastCreated
  }

  view (id, p) {
    const out = { requestid: id, status: p.status, created: new Date(p.created).toISOString(), pin: p.pin, delegates: [DELEGATE] }
    if (Object.keys(p.info).length > 0) out.info = p.info
    return out
  }

  create (pin) {
    const id = randomUUID()
    const p = { status: 'queued', created: this.nextCreated(), pin, info: {} }
    this.pins.set(id, p)
    const t = setTimeout(() => {
      this.timers.delete(t)
      this.settle(id, p).catch((err) => this.log(`pinning: settle ${id}: ${err.message}`))
    }, this.delayMs)
    this.timers.add(t)
    return id
  }

  async settle (id, p) {
    if (this.pins.get(id) !== p) return // removed or replaced meanwhile
    const cid = p.pin.cid
    const canonical = parseCid(cid)?.toString()
    const keys = canonical && canonical !== cid ? [cid, canonical] : [cid]
    let found = false
    for (const k of keys) {
      if (await this.objectExists(k)) { found = true; break }
    }
    if (this.pins.get(id) !== p) return
    if (found) {
      p.status = 'pinned'
      p.info = {}
    } else {
      p.status = 'failed'
      p.info = { status_details: `no object with key ${cid} in bucket ${this.bucket}: this Filebase double pins only content stored in its bucket under its CID` }
    }
  }

  list (params) {
    const get = (k) => {
      const v = params.getAll(k)
      if (v.length > 1) throw new HttpError(400, 'BAD_REQUEST', `${k} given more than once`)
      return v[0]
    }
    let cids = null
    const cidParam = get('cid')
    if (cidParam !== undefined) {
      cids = cidParam.split(',').filter((c) => c !== '')
      if (cids.length < 1 || cids.length > 10) throw new HttpError(400, 'BAD_REQUEST', 'cid must list 1 to 10 CIDs')
    }
    const name = get('name')
    if (name !== undefined && name.length > 255) throw new HttpError(400, 'BAD_REQUEST', 'name is at most 255 characters')
    const match = get('match') ?? 'exact'
    if (!MATCHES.includes(match)) throw new HttpError(400, 'BAD_REQUEST', `match must be one of ${MATCHES.join(', ')}`)
    let statuses = ['pinned']
    const statusParam = get('status')
    if (statusParam !== undefined) {
      statuses = statusParam.split(',')
      if (statuses.some((s) => !STATUSES.includes(s))) throw new HttpError(400, 'BAD_REQUEST', `status must be a comma-separated list of ${STATUSES.join(', ')}`)
    }
    const before = get('before') !== undefined ? parseTime('before', get('before')) : null
    const after = get('after') !== undefined ? parseTime('after', get('after')) : null
    let limit = 10
    const limitParam = get('limit')
    if (limitParam !== undefined) {
      if (!/^\d+$/.test(limitParam) || Number(limitParam) < 1 || Number(limitParam) > 1000) {
        throw new HttpError(400, 'BAD_REQUEST', 'limit must be an integer from 1 to 1000')
      }
      limit = Number(limitParam)
    }
    let meta = null
    const metaParam = get('meta')
    if (metaParam !== undefined) {
      try {
        meta = JSON.parse(metaParam)
      } catch {
        throw new HttpError(400, 'BAD_REQUEST', 'meta must be a JSON object (URL-encoded)')
      }
      if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
        throw new HttpError(400, 'BAD_REQUEST', 'meta must be a JSON object (URL-encoded)')
      }
    }
    const nameMatches = (n) => {
      if (name === undefined) return true
      if (typeof n !== 'string') return false
      switch (match) {
        case 'exact': return n === name
        case 'iexact': return n.toLowerCase() === name.toLowerCase()
        case 'partial': return n.includes(name)
        default: return n.toLowerCase().includes(name.toLowerCase())
      }
    }
    const matching = []
    for (const [id, p] of this.pins) {
      if (!statuses.includes(p.status)) continue
      if (cids !== null && !cids.includes(p.pin.cid)) continue
      if (!nameMatches(p.pin.name)) continue
      if (before !== null && !(before.extra ? p.created <= before.ms : p.created < before.ms)) continue
      if (after !== null && !(p.created > after.ms)) continue
      if (meta !== null && !Object.entries(meta).every(([k, v]) => p.pin.meta?.[k] === v)) continue
      matching.push([id, p])
    }
    matching.sort((a, b) => b[1].created - a[1].created)
    return { count: matching.length, results: matching.slice(0, limit).map(([id, p]) => this.view(id, p)) }
  }

  // Handles a request under /pinning; `sub` is the path after the prefix.
  // body: Buffer (already read). Returns { status, json } (json undefined: no body).
  async handle (method, sub, params, headers, body) {
    try {
      const auth = headers.authorization ?? ''
      if (!/^Bearer /i.test(auth) || auth.slice(7).trim() !== this.token) {
        throw new HttpError(401, 'UNAUTHORIZED', 'Access token is missing or invalid')
      }
      const parseBody = () => {
        try {
          return JSON.parse(body.toString('utf8'))
        } catch {
          throw new HttpError(400, 'BAD_REQUEST', 'body must be JSON')
        }
      }
      if (sub === '/pins') {
        if (method === 'GET') return { status: 200, json: this.list(params) }
        if (method === 'POST') {
          const pin = validatePin(parseBody())
          const id = this.create(pin)
          return { status: 202, json: this.view(id, this.pins.get(id)) }
        }
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on /pins`)
      }
      const m = /^\/pins\/([^/]+)$/.exec(sub)
      if (m) {
        let id
        try { id = decodeURIComponent(m[1]) } catch { id = m[1] }
        const p = this.pins.get(id)
        if (p === undefined) throw new HttpError(404, 'NOT_FOUND', 'The specified resource was not found')
        if (method === 'GET') return { status: 200, json: this.view(id, p) }
        if (method === 'DELETE') {
          this.pins.delete(id)
          return { status: 202 }
        }
        if (method === 'POST') {
          const pin = validatePin(parseBody())
          this.pins.delete(id)
          const nid = this.create(pin)
          return { status: 202, json: this.view(nid, this.pins.get(nid)) }
        }
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on /pins/{requestid}`)
      }
      throw new HttpError(404, 'NOT_FOUND', 'The specified resource was not found')
    } catch (err) {
      if (!(err instanceof HttpError)) throw err
      return { status: err.status, json: { error: { reason: err.reason, details: err.message } } }
    }
  }
}
