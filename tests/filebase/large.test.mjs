// Large objects stream through the double: upstream vectors on 45 MB, and a
// 100 MiB object by PUT and by multipart, with the double's peak memory checked.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { startDouble, drng, drngSha256, rawRequest, xmlText } from './lib/testkit.mjs'
import { cidOf } from './lib/cid.mjs'

const MiB = 1024 * 1024
const V0_SIZE = 174 * 262144 + 1 // two levels of 174-wide balanced DAG
// ipfs-specs.md §1.11 (Kubo's cid_profiles_test and the derived --cid-version=1 table).
const V0_SEED_VECTORS = {
  'kubo-add-cidv1': 'bafybeifr472xiwfk53w5s7bayijk3lq2go6ocqqcfch6ygy5qwza5hkdl4',
  'unixfs-v0-2015': 'QmV81WL765sC8DXsRhE5fJv2rwhS4icHRaf3J9Zk5FdRnW'
}
const BIG = 100 * MiB
const PEAK_RSS_LIMIT_MIB = 256

function peakRssMiB (pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m[1]) / 1024
}

async function getSha256 (d, key) {
  const s = await d.s3.signed({ method: 'GET', key })
  return new Promise((resolve, reject) => {
    import('node:http').then(({ default: http }) => {
      const req = http.request({ host: '127.0.0.1', port: d.port, method: 'GET', path: s.path, headers: s.headers, agent: false }, (res) => {
        const h = createHash('sha256')
        let n = 0
        res.on('data', (c) => { h.update(c); n += c.length })
        res.on('end', () => resolve({ status: res.statusCode, cid: res.headers['x-amz-meta-cid'], size: n, sha256: h.digest('hex') }))
        res.on('error', reject)
      })
      req.setTimeout(120000, () => req.destroy(new Error('timeout')))
      req.on('error', reject)
      req.end()
    }, reject)
  })
}

for (const [profile, want] of Object.entries(V0_SEED_VECTORS)) {
  test(`DRNG(174*262144+1, "v0-seed") streamed PUT under ${profile} → ${want}`, { timeout: 120000 }, async () => {
    const d = await startDouble({ profile })
    try {
      const r = await d.s3.request({ method: 'PUT', key: 'v0-seed.bin', payloadHash: drngSha256(V0_SIZE, 'v0-seed'),
        body: Buffer.alloc(0), streamBody: drng(V0_SIZE, 'v0-seed'), headers: { 'content-length': String(V0_SIZE) }, timeoutMs: 120000 })
      assert.equal(r.status, 200, r.body.toString())
      assert.equal(r.headers['x-amz-meta-cid'], want)
    } finally {
      await d.stop()
    }
  })
}

describe('100 MiB', { timeout: 300000 }, () => {
  let d, want, sha
  before(async () => {
    d = await startDouble()
    sha = drngSha256(BIG, 'big')
    want = await cidOf('kubo-add-cidv1', drng(BIG, 'big'))
  })
  after(async () => { await d?.stop() })

  test('PUT (signed payload, streamed), HEAD, GET', async () => {
    const put = await d.s3.request({ method: 'PUT', key: 'big.bin', payloadHash: sha, body: Buffer.alloc(0),
      streamBody: drng(BIG, 'big'), headers: { 'content-length': String(BIG) }, timeoutMs: 120000 })
    assert.equal(put.status, 200, put.body.toString())
    assert.equal(put.headers['x-amz-meta-cid'], want)
    const head = await d.s3.request({ method: 'HEAD', key: 'big.bin' })
    assert.equal(head.headers['x-amz-meta-cid'], want)
    assert.equal(Number(head.headers['content-length']), BIG)
    const got = await getSha256(d, 'big.bin')
    assert.deepEqual(got, { status: 200, cid: want, size: BIG, sha256: sha })
  })

  test('multipart (20 parts of 5 MiB), CID of the whole object', async () => {
    const init = await d.s3.request({ method: 'POST', key: 'big-multi.bin', query: { uploads: '' } })
    const uploadId = xmlText(init.body, 'UploadId')
    const parts = []
    const it = drng(BIG, 'big', 5 * MiB)
    let n = 1
    for (const chunk of it) {
      const r = await d.s3.request({ method: 'PUT', key: 'big-multi.bin', query: { partNumber: String(n), uploadId }, body: chunk, timeoutMs: 60000 })
      assert.equal(r.status, 200, r.body.toString())
      parts.push(`<Part><PartNumber>${n}</PartNumber><ETag>${r.headers.etag}</ETag></Part>`)
      n++
    }
    assert.equal(parts.length, 20)
    const done = await d.s3.request({ method: 'POST', key: 'big-multi.bin', query: { uploadId },
      body: Buffer.from(`<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`), timeoutMs: 120000 })
    assert.equal(done.status, 200, done.body.toString())
    assert.equal(done.headers['x-amz-meta-cid'], want)
    const url = await d.s3.presign({ method: 'HEAD', key: 'big-multi.bin' })
    const h = await rawRequest({ port: d.port, method: 'HEAD', path: url })
    assert.equal(h.status, 200)
    assert.equal(h.headers['x-amz-meta-cid'], want)
  })

  test(`the double never held the object in memory (peak RSS < ${PEAK_RSS_LIMIT_MIB} MiB)`, (t) => {
    const peak = peakRssMiB(d.proc.pid)
    t.diagnostic(`double's peak RSS: ${peak.toFixed(0)} MiB`)
    assert.ok(peak < PEAK_RSS_LIMIT_MIB, `peak RSS ${peak.toFixed(0)} MiB`)
  })
})
