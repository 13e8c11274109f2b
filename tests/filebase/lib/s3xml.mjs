// S3-style XML bodies.
import { randomBytes } from 'node:crypto'

export function xmlEscape (s) {
  return String(s).replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c])
}

export function requestId () {
  return randomBytes(8).toString('hex').toUpperCase()
}

// <Error><Code/><Message/>...extra elements...<RequestId/></Error>
export function errorXml (code, message, extra = {}, reqId = requestId(), resource) {
  let body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message>`
  if (resource !== undefined) body += `<Resource>${xmlEscape(resource)}</Resource>`
  for (const [k, v] of Object.entries(extra)) {
    if (v !== undefined && v !== null) body += `<${k}>${xmlEscape(v)}</${k}>`
  }
  body += `<RequestId>${xmlEscape(reqId)}</RequestId></Error>`
  return body
}

// Parts listed in a CompleteMultipartUpload body, in document order.
export function parseCompleteParts (xml) {
  const parts = []
  const re = /<Part>([\s\S]*?)<\/Part>/g
  let m
  while ((m = re.exec(xml)) !== null) {
    const num = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1])
    const etag = /<ETag>\s*([^<]*?)\s*<\/ETag>/.exec(m[1])
    parts.push({
      number: num ? Number(num[1]) : NaN,
      etag: etag ? etag[1].replace(/&quot;/g, '"').replace(/"/g, '') : ''
    })
  }
  return parts
}
