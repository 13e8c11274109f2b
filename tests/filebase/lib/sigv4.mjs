// Strict AWS Signature Version 4 verification for S3 requests.
//
// The signature is never recomputed by hand: the request is rebuilt from what
// arrived on the wire (method, path, query, the headers named in
// SignedHeaders, the date and the payload hash) and re-signed with AWS's own
// signer, @smithy/signature-v4; the result is compared with what the client
// sent. What this module decides itself is only what S3 decides before
// signing: how the raw path and query string are decoded into the values the
// canonical request is built from (the same way S3 does, so a client that
// canonicalises differently from AWS gets SignatureDoesNotMatch).
import { timingSafeEqual } from 'node:crypto'
import { SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4'
import { Hash } from '@smithy/hash-node'

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
const ALGORITHM = 'AWS4-HMAC-SHA256'
const SERVICE = 's3'
const MAX_SKEW_MS = 15 * 60 * 1000
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600
// Query parameters that carry presigned-URL authentication.
export const PRESIGN_PARAMS = Object.freeze([
  'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires',
  'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token', 'X-Amz-Content-Sha256'
])

// AWS UriEncode: identical to @smithy's escapeUri (RFC 3986 unreserved kept,
// everything else %XX upper-case).
export const escapeUri = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

export class AuthError extends Error {
  constructor (status, code, message, extra = {}) {
    super(message)
    this.status = status
    this.code = code
    this.extra = extra
  }
}

// Splits a raw request target into its raw path and raw query string.
export function splitTarget (url) {
  const q = url.indexOf('?')
  return q < 0 ? { rawPath: url, rawQuery: '' } : { rawPath: url.slice(0, q), rawQuery: url.slice(q + 1) }
}

function percentDecode (s, plusIsSpace) {
  try {
    return decodeURIComponent(plusIsSpace ? s.replace(/\+/g, ' ') : s)
  } catch {
    throw new AuthError(400, 'InvalidURI', "Couldn't parse the specified URI.", { URI: s })
  }
}

// Decodes a raw query string the way S3 does: pieces split on '&', name and
// value split on the first '=', both percent-decoded with '+' meaning space.
// A piece without '=' (`?uploads`) has the value "". Returns
// { list: [[name, value, rawPiece]...], map: {name: value | [values]} }.
export function parseQuery (rawQuery) {
  const list = []
  const map = Object.create(null)
  if (rawQuery === '') return { list, map }
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue
    const eq = piece.indexOf('=')
    const name = percentDecode(eq < 0 ? piece : piece.slice(0, eq), true)
    const value = eq < 0 ? '' : percentDecode(piece.slice(eq + 1), true)
    list.push([name, value, piece])
    if (!(name in map)) map[name] = value
    else if (Array.isArray(map[name])) map[name].push(value)
    else map[name] = [map[name], value]
  }
  return { list, map }
}

// S3's canonical URI: the decoded path, UriEncoded with '/' kept. No
// normalisation of '.', '..' or '//' (S3 keys may contain them).
export function canonicalPath (rawPath) {
  return escapeUri(percentDecode(rawPath, false)).replace(/%2F/g, '/')
}

// The value of a header for signing: all occurrences, each trimmed with runs
// of spaces folded, joined by ','.
function headerValue (req, name) {
  const values = req.headersDistinct[name]
  if (values === undefined) return undefined
  return values.map((v) => v.replace(/[ \t]+/g, ' ').trim()).join(',')
}

// YYYYMMDD'T'HHMMSS'Z' → Date, or null.
function parseAmzDate (s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s ?? '')
  if (!m) return null
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]))
  return Number.isNaN(d.getTime()) ? null : d
}

function safeEqual (a, b) {
  const x = Buffer.from(String(a))
  const y = Buffer.from(String(b))
  return x.length === y.length && timingSafeEqual(x, y)
}

// Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
function parseAuthorization (value) {
  const sp = value.indexOf(' ')
  const algorithm = sp < 0 ? value : value.slice(0, sp)
  if (algorithm === 'AWS') {
    throw new AuthError(400, 'InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.')
  }
  if (algorithm !== ALGORITHM) {
    throw new AuthError(400, 'InvalidArgument', `Unsupported Authorization Type: ${algorithm}`, { ArgumentName: 'Authorization', ArgumentValue: value })
  }
  const fields = Object.create(null)
  for (const part of value.slice(sp + 1).split(',')) {
    const p = part.trim()
    const eq = p.indexOf('=')
    if (eq < 0) continue
    fields[p.slice(0, eq)] = p.slice(eq + 1)
  }
  for (const f of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!fields[f]) {
      throw new AuthError(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; missing ${f}.`)
    }
  }
  return { credential: fields.Credential, signedHeaders: fields.SignedHeaders, signature: fields.Signature }
}

export class SigV4Verifier {
  constructor ({ region, accessKey, secretKey, now = () => Date.now() }) {
    this.region = region
    this.accessKey = accessKey
    this.now = now
    this.signer = new SignatureV4({
      service: SERVICE,
      region,
      credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
      sha256: Hash.bind(null, 'sha256'),
      // S3 signs the path as sent (single encoding, no normalisation); the
      // canonical form is computed by canonicalPath() above.
      uriEscapePath: false,
      applyChecksum: false
    })
  }

  // Checks `Credential=AK/DATE/REGION/s3/aws4_request`; malformed → 400,
  // unknown key → 403 InvalidAccessKeyId, wrong region → 400.
  checkCredential (credential, amzDate, where) {
    const parts = credential.split('/')
    if (parts.length !== 5) {
      throw new AuthError(400, where === 'header' ? 'AuthorizationHeaderMalformed' : 'AuthorizationQueryParametersError',
        `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request". (${credential})`)
    }
    const [ak, date, region, service, terminator] = parts
    if (ak !== this.accessKey) {
      throw new AuthError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: ak })
    }
    const malformed = where === 'header' ? 'AuthorizationHeaderMalformed' : 'AuthorizationQueryParametersError'
    if (region !== this.region) {
      throw new AuthError(400, malformed, `The authorization header is malformed; the region '${region}' is wrong; expecting '${this.region}'`, { Region: this.region })
    }
    if (service !== SERVICE) {
      throw new AuthError(400, malformed, `The authorization header is malformed; incorrect service "${service}". This endpoint belongs to "s3".`)
    }
    if (terminator !== 'aws4_request') {
      throw new AuthError(400, malformed, `The authorization header is malformed; incorrect terminal "${terminator}". This endpoint uses "aws4_request".`)
    }
    if (date !== amzDate.slice(0, 8)) {
      throw new AuthError(400, malformed, `The authorization header is malformed; Invalid credential date "${date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`)
    }
  }

  // The request as the signer sees it: only the signed headers, their values
  // taken from the wire.
  buildRequest (req, rawPath, query, signedList) {
    const headers = {}
    for (const name of signedList) {
      const v = headerValue(req, name)
      if (v === undefined) {
        throw new AuthError(403, 'SignatureDoesNotMatch', `The request signature we calculated does not match the signature you provided. Header "${name}" is listed in SignedHeaders but is not present in the request.`)
      }
      headers[name] = v
    }
    return {
      method: req.method,
      protocol: 'http:',
      hostname: (req.headers.host ?? '').replace(/:\d+$/, ''),
      path: canonicalPath(rawPath),
      query,
      headers
    }
  }

  canonicalRequest (request, signedSet, payloadHash) {
    const canonicalHeaders = getCanonicalHeaders(request, new Set(), signedSet)
    return this.signer.createCanonicalRequest(request, canonicalHeaders, payloadHash)
  }

  async mismatch (request, signedSet, payloadHash, amzDate, credential, provided) {
    // Same diagnostics as AWS: the canonical request and string to sign the
    // server expected.
    const canonicalRequest = this.canonicalRequest(request, signedSet, payloadHash)
    const scope = credential.split('/').slice(1).join('/')
    const stringToSign = await this.signer.createStringToSign(amzDate, scope, canonicalRequest, ALGORITHM)
    return new AuthError(403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: this.accessKey, StringToSign: stringToSign, SignatureProvided: provided, CanonicalRequest: canonicalRequest })
  }

  // Verifies one S3 request. Returns { mode, payloadHash } on success:
  // payloadHash is the x-amz-content-sha256 the caller must still check
  // against the body (or UNSIGNED-PAYLOAD). Throws AuthError otherwise.
  async verify (req) {
    const { rawPath, rawQuery } = splitTarget(req.url)
    const { map: queryMap } = parseQuery(rawQuery)
    const hasHeaderAuth = req.headers.authorization !== undefined
    const hasQueryAuth = 'X-Amz-Algorithm' in queryMap || 'X-Amz-Signature' in queryMap || 'X-Amz-Credential' in queryMap
    if (hasHeaderAuth && hasQueryAuth) {
      throw new AuthError(400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
        { ArgumentName: 'Authorization' })
    }
    if (!hasHeaderAuth && !hasQueryAuth) {
      throw new AuthError(403, 'AccessDenied', 'Access Denied (anonymous requests are not allowed: sign with AWS4-HMAC-SHA256)')
    }
    return hasHeaderAuth ? this.verifyHeader(req, rawPath, queryMap) : this.verifyQuery(req, rawPath, queryMap)
  }

  checkSignedHeaderList (req, signedHeaders, where) {
    const signedList = signedHeaders.split(';')
    if (!signedList.includes('host')) {
      throw new AuthError(403, 'AccessDenied', 'Host header must be signed (SignedHeaders does not include host)')
    }
    // Every x-amz-* header on the request must be signed (S3: HeadersNotSigned).
    if (where === 'header') {
      const unsigned = Object.keys(req.headers).filter((h) => h.startsWith('x-amz-') && !signedList.includes(h))
      if (unsigned.length > 0) {
        throw new AuthError(403, 'AccessDenied', 'There were headers present in the request which were not signed',
          { HeadersNotSigned: unsigned.join(', ') })
      }
    }
    return signedList
  }

  async verifyHeader (req, rawPath, queryMap) {
    const auth = parseAuthorization(req.headers.authorization)
    const amzDate = req.headers['x-amz-date']
    const signingDate = parseAmzDate(amzDate)
    if (signingDate === null) {
      throw new AuthError(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header (this double requires x-amz-date in YYYYMMDDTHHMMSSZ form)')
    }
    this.checkCredential(auth.credential, amzDate, 'header')
    const skew = Math.abs(this.now() - signingDate.getTime())
    if (skew > MAX_SKEW_MS) {
      throw new AuthError(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.',
        { RequestTime: amzDate, ServerTime: new Date(this.now()).toISOString(), MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS) })
    }
    const payloadHash = req.headers['x-amz-content-sha256']
    if (payloadHash === undefined) {
      throw new AuthError(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256')
    }
    if (payloadHash.startsWith('STREAMING-')) {
      throw new AuthError(501, 'NotImplemented', `x-amz-content-sha256 ${payloadHash} (aws-chunked uploads) is not implemented by this double`)
    }
    if (payloadHash !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(payloadHash)) {
      throw new AuthError(400, 'InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.',
        { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash })
    }
    const signedList = this.checkSignedHeaderList(req, auth.signedHeaders, 'header')
    const signedSet = new Set(signedList)
    const request = this.buildRequest(req, rawPath, queryMap, signedList)
    const signed = await this.signer.sign(request, { signingDate, signableHeaders: signedSet })
    const m = /SignedHeaders=([^,]*), Signature=([0-9a-f]+)$/.exec(signed.headers.authorization)
    if (!m || m[1] !== auth.signedHeaders || !safeEqual(m[2], auth.signature)) {
      // The canonical request is built from the request as re-signed (it
      // carries the signer's x-amz-date, which equals the client's).
      throw await this.mismatch({ ...request, headers: { ...request.headers, 'x-amz-date': amzDate } },
        signedSet, payloadHash, amzDate, auth.credential, auth.signature)
    }
    return { mode: 'header', payloadHash }
  }

  async verifyQuery (req, rawPath, queryMap) {
    const one = (name) => {
      const v = queryMap[name]
      if (v === undefined) {
        throw new AuthError(400, 'AuthorizationQueryParametersError', `Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters (missing ${name}).`)
      }
      if (Array.isArray(v)) throw new AuthError(400, 'AuthorizationQueryParametersError', `${name} given more than once`)
      return v
    }
    const algorithm = one('X-Amz-Algorithm')
    if (algorithm !== ALGORITHM) {
      throw new AuthError(400, 'AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
    }
    const credential = one('X-Amz-Credential')
    const amzDate = one('X-Amz-Date')
    const expiresRaw = one('X-Amz-Expires')
    const signedHeaders = one('X-Amz-SignedHeaders')
    const signature = one('X-Amz-Signature')
    const signingDate = parseAmzDate(amzDate)
    if (signingDate === null) {
      throw new AuthError(400, 'AuthorizationQueryParametersError', 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"')
    }
    if (!/^\d+$/.test(expiresRaw)) {
      throw new AuthError(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires should be a number')
    }
    const expiresIn = Number(expiresRaw)
    if (expiresIn < 1 || expiresIn > MAX_PRESIGN_SECONDS) {
      throw new AuthError(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be less than a week (in seconds) that is 604800 and more than 0')
    }
    this.checkCredential(credential, amzDate, 'query')
    const now = this.now()
    if (now > signingDate.getTime() + expiresIn * 1000) {
      throw new AuthError(403, 'AccessDenied', 'Request has expired',
        { 'X-Amz-Expires': expiresRaw, Expires: new Date(signingDate.getTime() + expiresIn * 1000).toISOString(), ServerTime: new Date(now).toISOString() })
    }
    if (signingDate.getTime() - now > MAX_SKEW_MS) {
      throw new AuthError(403, 'AccessDenied', 'Request is not valid yet')
    }
    const signedList = this.checkSignedHeaderList(req, signedHeaders, 'query')
    const signedSet = new Set(signedList)
    const query = { ...queryMap }
    delete query['X-Amz-Signature']
    const request = this.buildRequest(req, rawPath, query, signedList)
    // Presigned URLs sign UNSIGNED-PAYLOAD unless X-Amz-Content-Sha256 is given
    // in the query. The signer takes the payload hash from this header, which
    // is neither signed nor moved to the query.
    const payloadHash = typeof queryMap['X-Amz-Content-Sha256'] === 'string' ? queryMap['X-Amz-Content-Sha256'] : UNSIGNED_PAYLOAD
    const internal = new Set(['x-amz-content-sha256'])
    const toSign = { ...request, headers: { ...request.headers } }
    if (!signedSet.has('x-amz-content-sha256')) toSign.headers['x-amz-content-sha256'] = payloadHash
    const keepAsHeaders = new Set([...signedList.filter((h) => h.startsWith('x-amz-')), 'x-amz-content-sha256'])
    const presigned = await this.signer.presign(toSign, {
      signingDate,
      expiresIn,
      signableHeaders: signedSet,
      unsignableHeaders: signedSet.has('x-amz-content-sha256') ? new Set() : internal,
      unhoistableHeaders: keepAsHeaders
    })
    const expected = presigned.query['X-Amz-Signature']
    if (presigned.query['X-Amz-SignedHeaders'] !== signedHeaders || !safeEqual(expected, signature)) {
      const q = { ...presigned.query }
      delete q['X-Amz-Signature']
      throw await this.mismatch({ ...request, query: q }, signedSet, signedSet.has('x-amz-content-sha256') ? request.headers['x-amz-content-sha256'] : payloadHash,
        amzDate, credential, signature)
    }
    return { mode: 'query', payloadHash: UNSIGNED_PAYLOAD }
  }
}
