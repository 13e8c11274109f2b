// Multipart upload: ?uploads, ?partNumber=N&uploadId=..., complete; the
// completed object's CID is that of the whole object.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDouble, pattern, xmlText } from './lib/testkit.mjs'
import { cidOf } from './lib/cid.mjs'

const MiB = 1024 * 1024

function completeXml (parts) {
  return '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    parts.map(([n, etag]) => `<Part><PartNumber>${n}</PartNumber><ETag>${etag}</ETag></Part>`).join('') +
    '</CompleteMultipartUpload>'
}

async function initiate (d, key) {
  const r = await d.s3.request({ method: 'POST', key, query: { uploads: '' } })
  assert.equal(r.status, 200, r.body.toString())
  const id = xmlText(r.body, 'UploadId')
  assert.match(id, /^2~[A-Za-z0-9_-]{22}$/, 'AWS-looking upload id')
  return id
}

async function uploadPart (d, key, uploadId, partNumber, body) {
  const r = await d.s3.request({ method: 'PUT', key, query: { partNumber: String(partNumber), uploadId }, body })
  assert.equal(r.status, 200, r.body.toString())
  assert.equal(r.headers['x-amz-meta-cid'], undefined, 'parts have no CID')
  return r.headers.etag
}

function complete (d, key, uploadId, parts) {
  return d.s3.request({ method: 'POST', key, query: { uploadId }, body: Buffer.from(completeXml(parts)) })
}

for (const profile of ['kubo-add-cidv1', 'unixfs-v0-2015']) {
  describe(`multipart under ${profile}`, () => {
    let d
    before(async () => { d = await startDouble({ profile }) })
    after(async () => { await d?.stop() })

    test('initiate, three parts, complete: the CID is the whole object\'s', async () => {
      const key = 'multi/object one.bin'
      const whole = pattern(11 * MiB + 12345)
      const parts = [whole.subarray(0, 5 * MiB), whole.subarray(5 * MiB, 10 * MiB), whole.subarray(10 * MiB)]
      const want = await cidOf(profile, whole)
      const id = await initiate(d, key)
      const etags = []
      for (const [i, p] of parts.entries()) etags.push(await uploadPart(d, key, id, i + 1, p))
      const r = await complete(d, key, id, etags.map((e, i) => [i + 1, e]))
      assert.equal(r.status, 200, r.body.toString())
      assert.equal(r.headers['x-amz-meta-cid'], want)
      assert.equal(xmlText(r.body, 'Key'), key)
      assert.equal(xmlText(r.body, 'Location'), `http://127.0.0.1:${d.port}/test-bucket/multi/object%20one.bin`)
      const h = await d.s3.request({ method: 'HEAD', key })
      assert.equal(h.headers['x-amz-meta-cid'], want)
      assert.equal(Number(h.headers['content-length']), whole.length)
      const g = await d.s3.request({ method: 'GET', key })
      assert.ok(g.body.equals(whole))
    })
  })
}

describe('multipart: S3 rules', () => {
  let d
  before(async () => { d = await startDouble() })
  after(async () => { await d?.stop() })

  test('a part below 5 MiB that is not the last → 400 EntityTooSmall', async () => {
    const id = await initiate(d, 'small')
    const e1 = await uploadPart(d, 'small', id, 1, pattern(1000))
    const e2 = await uploadPart(d, 'small', id, 2, pattern(1000))
    const r = await complete(d, 'small', id, [[1, e1], [2, e2]])
    assert.equal(r.status, 400)
    assert.equal(xmlText(r.body, 'Code'), 'EntityTooSmall')
  })

  test('a single small part is fine (it is the last)', async () => {
    const id = await initiate(d, 'single')
    const e1 = await uploadPart(d, 'single', id, 1, Buffer.from('hello world\n'))
    const r = await complete(d, 'single', id, [[1, e1]])
    assert.equal(r.status, 200, r.body.toString())
    assert.equal(r.headers['x-amz-meta-cid'], 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4')
  })

  test('a wrong part ETag → 400 InvalidPart; parts out of order → 400 InvalidPartOrder', async () => {
    const id = await initiate(d, 'bad')
    const e1 = await uploadPart(d, 'bad', id, 1, pattern(5 * MiB))
    const e2 = await uploadPart(d, 'bad', id, 2, pattern(10))
    let r = await complete(d, 'bad', id, [[1, e1], [2, '"00000000000000000000000000000000"']])
    assert.equal(r.status, 400)
    assert.equal(xmlText(r.body, 'Code'), 'InvalidPart')
    r = await complete(d, 'bad', id, [[2, e2], [1, e1]])
    assert.equal(r.status, 400)
    assert.equal(xmlText(r.body, 'Code'), 'InvalidPartOrder')
    r = await complete(d, 'bad', id, [[1, e1], [3, e2]])
    assert.equal(r.status, 400)
    assert.equal(xmlText(r.body, 'Code'), 'InvalidPart')
    r = await complete(d, 'bad', id, [[1, e1], [2, e2]])
    assert.equal(r.status, 200, r.body.toString())
  })

  test('abort: 204, then the upload is gone (404 NoSuchUpload)', async () => {
    const id = await initiate(d, 'aborted')
    await uploadPart(d, 'aborted', id, 1, pattern(10))
    const a = await d.s3.request({ method: 'DELETE', key: 'aborted', query: { uploadId: id } })
    assert.equal(a.status, 204)
    const p = await d.s3.request({ method: 'PUT', key: 'aborted', query: { partNumber: '2', uploadId: id }, body: pattern(10) })
    assert.equal(p.status, 404)
    assert.equal(xmlText(p.body, 'Code'), 'NoSuchUpload')
    const again = await d.s3.request({ method: 'DELETE', key: 'aborted', query: { uploadId: id } })
    assert.equal(again.status, 404)
  })

  test('unknown upload id and bad part numbers are refused', async () => {
    const u = await d.s3.request({ method: 'PUT', key: 'x', query: { partNumber: '1', uploadId: '2~AAAAAAAAAAAAAAAAAAAAAA' }, body: pattern(10) })
    assert.equal(u.status, 404)
    assert.equal(xmlText(u.body, 'Code'), 'NoSuchUpload')
    const id = await initiate(d, 'pn')
    for (const pn of ['0', '10001', 'x']) {
      const r = await d.s3.request({ method: 'PUT', key: 'pn', query: { partNumber: pn, uploadId: id }, body: pattern(10) })
      assert.equal(r.status, 400, `partNumber=${pn}`)
      assert.equal(xmlText(r.body, 'Code'), 'InvalidArgument')
    }
  })

  test('a part with a wrong payload hash is refused and not stored', async () => {
    const id = await initiate(d, 'ph')
    const r = await d.s3.request({ method: 'PUT', key: 'ph', query: { partNumber: '1', uploadId: id }, body: pattern(100), payloadHash: 'f'.repeat(64) })
    assert.equal(r.status, 400)
    assert.equal(xmlText(r.body, 'Code'), 'XAmzContentSHA256Mismatch')
    const c = await complete(d, 'ph', id, [[1, '"whatever"']])
    assert.equal(xmlText(c.body, 'Code'), 'InvalidPart')
  })
})
