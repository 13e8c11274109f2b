// PUT / GET / HEAD round trips report the CID of the object under each CID
// profile (vectors from ipfs-specs.md §1.12).
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDouble, pattern, xmlText, rawRequest } from './lib/testkit.mjs'

const VECTORS = {
  'kubo-add-cidv1': {
    hello: 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4',
    p262145: 'bafybeiexg2oqkfnj56l7fcmawswqbijt5shq4b5rg6a546uwpkqqzwjioi',
    p1048577: 'bafybeig7rd7v2ygpkiiyu3kzsojmrj3ujtinivk7fxid5p33t6kdewzvsm'
  },
  'unixfs-v1-2025': {
    hello: 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4',
    p262145: 'bafkreidkcavdl3yt2jt36sd4cuqnqk2p6vaxq66iykemz6mk527hnbqbni',
    p1048577: 'bafybeidjogjfwuhbzwopgd4bn3skcf5m6oz72xshywcndzxgqb623nfclu'
  },
  'unixfs-v0-2015': {
    hello: 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o',
    p262145: 'QmUSjGawaz4ptvREcMKSMJneWCa5j8dAz2wSAAvHtW2rnB',
    p1048577: 'QmXFGdWM6dMXHxGby9dZifmvH5ws2MwYCE1paUfJSp3Kj6'
  }
}
const EMPTY_RAW = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'

for (const [profile, want] of Object.entries(VECTORS)) {
  describe(`profile ${profile}`, () => {
    let d
    before(async () => { d = await startDouble({ profile }) })
    after(async () => { await d?.stop() })

    const inputs = [
      ['hello', 'hello.txt', Buffer.from('hello world\n')],
      ['p262145', 'pattern/262145.bin', pattern(262145)],
      ['p1048577', 'pattern/1048577.bin', pattern(1048577)]
    ]
    for (const [name, key, bytes] of inputs) {
      test(`${name}: PUT, HEAD, GET and ranged GET report ${want[name]}`, async () => {
        const put = await d.s3.request({ method: 'PUT', key, body: bytes, headers: { 'content-type': 'application/octet-stream' } })
        assert.equal(put.status, 200, put.body.toString())
        assert.equal(put.headers['x-amz-meta-cid'], want[name])
        assert.match(put.headers.etag, /^"[0-9a-f]{32}"$/)

        const head = await d.s3.request({ method: 'HEAD', key })
        assert.equal(head.status, 200)
        assert.equal(head.headers['x-amz-meta-cid'], want[name])
        assert.equal(Number(head.headers['content-length']), bytes.length)

        const get = await d.s3.request({ method: 'GET', key })
        assert.equal(get.status, 200)
        assert.equal(get.headers['x-amz-meta-cid'], want[name])
        assert.ok(get.body.equals(bytes))

        const ranged = await d.s3.request({ method: 'GET', key, headers: { range: 'bytes=1-4' } })
        assert.equal(ranged.status, 206)
        assert.equal(ranged.headers['x-amz-meta-cid'], want[name])
        assert.ok(ranged.body.equals(bytes.subarray(1, 5)))
      })
    }

    test('unsigned payload (UNSIGNED-PAYLOAD) is accepted and gets the same CID', async () => {
      const r = await d.s3.request({ method: 'PUT', key: 'unsigned.txt', body: Buffer.from('hello world\n'), payloadHash: 'UNSIGNED-PAYLOAD' })
      assert.equal(r.status, 200, r.body.toString())
      assert.equal(r.headers['x-amz-meta-cid'], want.hello)
    })
  })
}

describe('object behaviour', () => {
  let d
  before(async () => { d = await startDouble() })
  after(async () => { await d?.stop() })

  test('after a restart on the same storage the CID is computed from the stored bytes', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'filebase-double-restart-'))
    try {
      const a = await startDouble({ profile: 'unixfs-v0-2015', dir })
      const put = await a.s3.request({ method: 'PUT', key: 'p', body: pattern(262145) })
      assert.equal(put.headers['x-amz-meta-cid'], VECTORS['unixfs-v0-2015'].p262145)
      await a.stop()
      const b = await startDouble({ profile: 'unixfs-v0-2015', dir })
      try {
        const head = await b.s3.request({ method: 'HEAD', key: 'p' })
        assert.equal(head.status, 200)
        assert.equal(head.headers['x-amz-meta-cid'], VECTORS['unixfs-v0-2015'].p262145)
      } finally {
        await b.stop()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('an empty object has the empty raw-leaf CID', async () => {
    const r = await d.s3.request({ method: 'PUT', key: 'empty', body: Buffer.alloc(0) })
    assert.equal(r.status, 200)
    assert.equal(r.headers['x-amz-meta-cid'], EMPTY_RAW)
  })

  test('keys that need encoding round-trip', async () => {
    const key = 'dir/with space+plus~tilde/ünï=cödé&(x)*!\'.txt'
    const put = await d.s3.request({ method: 'PUT', key, body: Buffer.from('hello world\n') })
    assert.equal(put.status, 200, put.body.toString())
    const list = await d.s3.request({ method: 'GET', path: '/test-bucket', query: { 'list-type': '2', prefix: 'dir/' } })
    assert.equal(list.status, 200, list.body.toString())
    const listed = xmlText(list.body, 'Key').replace(/&#x27;|&apos;/g, "'").replace(/&amp;/g, '&')
    assert.equal(listed, key)
    const get = await d.s3.request({ method: 'GET', key })
    assert.equal(get.status, 200)
    assert.equal(get.body.toString(), 'hello world\n')
  })

  test('a client-sent x-amz-meta-cid does not override the computed one', async () => {
    const r = await d.s3.request({ method: 'PUT', key: 'liar', body: Buffer.from('hello world\n'), headers: { 'x-amz-meta-cid': 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e' } })
    assert.equal(r.headers['x-amz-meta-cid'], VECTORS['kubo-add-cidv1'].hello)
    const h = await d.s3.request({ method: 'HEAD', key: 'liar' })
    assert.equal(h.headers['x-amz-meta-cid'], VECTORS['kubo-add-cidv1'].hello)
  })

  test('overwriting a key reports the new CID', async () => {
    await d.s3.request({ method: 'PUT', key: 'over', body: Buffer.from('hello world\n') })
    await d.s3.request({ method: 'PUT', key: 'over', body: Buffer.alloc(0) })
    const h = await d.s3.request({ method: 'HEAD', key: 'over' })
    assert.equal(h.headers['x-amz-meta-cid'], EMPTY_RAW)
  })

  test('missing object: 404 NoSuchKey without a CID', async () => {
    const r = await d.s3.request({ method: 'GET', key: 'nope' })
    assert.equal(r.status, 404)
    assert.equal(xmlText(r.body, 'Code'), 'NoSuchKey')
    assert.equal(r.headers['x-amz-meta-cid'], undefined)
  })

  test('DELETE removes the object', async () => {
    await d.s3.request({ method: 'PUT', key: 'del', body: Buffer.from('x') })
    const del = await d.s3.request({ method: 'DELETE', key: 'del' })
    assert.equal(del.status, 204)
    const h = await d.s3.request({ method: 'HEAD', key: 'del' })
    assert.equal(h.status, 404)
  })

  test('response-content-disposition on a presigned GET is applied', async () => {
    await d.s3.request({ method: 'PUT', key: 'disp.txt', body: Buffer.from('hello world\n') })
    const url = await d.s3.presign({ key: 'disp.txt', query: { 'response-content-disposition': 'attachment; filename="a b.txt"' } })
    const r = await rawRequest({ port: d.port, method: 'GET', path: url })
    assert.equal(r.status, 200, r.body.toString())
    assert.equal(r.headers['content-disposition'], 'attachment; filename="a b.txt"')
    assert.equal(r.headers['x-amz-meta-cid'], VECTORS['kubo-add-cidv1'].hello)
  })

  test('PUT without Content-Length (chunked) is refused with 411 MissingContentLength', async () => {
    async function * chunks () { yield Buffer.from('hello ') ; yield Buffer.from('world\n') }
    const r = await d.s3.request({ method: 'PUT', key: 'chunked', body: Buffer.from('hello world\n'), streamBody: chunks() })
    assert.equal(r.status, 411)
    assert.equal(xmlText(r.body, 'Code'), 'MissingContentLength')
  })

  test('Expect: 100-continue uploads work', async () => {
    const body = pattern(2 * 1024 * 1024)
    const s = await d.s3.signed({ method: 'PUT', key: 'expect.bin', body, headers: { expect: '100-continue' }, expectContinue: true })
    const r = await s.send()
    assert.equal(r.status, 200, r.body.toString())
    assert.equal(r.continued, true)
  })
})
