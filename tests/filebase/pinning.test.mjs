// IPFS Pinning Service API under /pinning.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startDouble, rawRequest, sleep, TOKEN } from './lib/testkit.mjs'

const HELLO = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4'
const ABSENT = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e'

describe('pinning service', () => {
  let d
  const api = async (method, path, body, token = TOKEN) => {
    const headers = {}
    if (token !== null) headers.authorization = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const r = await rawRequest({ port: d.port, method, path: `/pinning${path}`, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: 5000 })
    return { status: r.status, headers: r.headers, json: r.body.length ? JSON.parse(r.body) : null }
  }
  // Polls GET /pins/{id} until the status is final (bounded).
  const settle = async (id) => {
    for (let i = 0; i < 50; i++) {
      const r = await api('GET', `/pins/${id}`)
      if (r.json.status === 'pinned' || r.json.status === 'failed') return r.json
      await sleep(50)
    }
    throw new Error(`pin ${id} did not settle`)
  }

  before(async () => {
    d = await startDouble()
    // The gateway stores content under its CID as the key.
    const put = await d.s3.request({ method: 'PUT', key: HELLO, body: Buffer.from('hello world\n') })
    assert.equal(put.headers['x-amz-meta-cid'], HELLO)
  })
  after(async () => { await d?.stop() })

  test('no token or a wrong token → 401 with the spec\'s error JSON', async () => {
    for (const token of [null, 'wrong']) {
      const r = await api('GET', '/pins', undefined, token)
      assert.equal(r.status, 401)
      assert.deepEqual(r.json, { error: { reason: 'UNAUTHORIZED', details: 'Access token is missing or invalid' } })
    }
    const { json } = await d.control('GET', '/requests')
    const last = json.requests.at(-1)
    assert.equal(last.kind, 'pinning')
    assert.equal(last.tokenOk, false)
  })

  test('POST /pins: 202 queued, then pinned (object with that key exists)', async () => {
    const t0 = Date.now()
    const r = await api('POST', '/pins', { cid: HELLO, name: 'hello.txt', meta: { app: 'gw' } })
    assert.equal(r.status, 202)
    assert.equal(r.json.status, 'queued')
    assert.equal(r.json.pin.cid, HELLO)
    assert.equal(r.json.pin.name, 'hello.txt')
    assert.ok(r.json.requestid)
    assert.ok(Array.isArray(r.json.delegates) && r.json.delegates.length >= 1)
    assert.match(r.json.delegates[0], /\/p2p\/12D3KooW/)
    assert.equal(new Date(r.json.created).toISOString(), r.json.created)
    const done = await settle(r.json.requestid)
    assert.equal(done.status, 'pinned')
    assert.ok(Date.now() - t0 >= 150, 'pinning takes about 200 ms')
  })

  test('POST /pins for content not in the bucket: failed, with a reason', async () => {
    const r = await api('POST', '/pins', { cid: ABSENT })
    assert.equal(r.status, 202)
    const done = await settle(r.json.requestid)
    assert.equal(done.status, 'failed')
    assert.match(done.info.status_details, /no object with key/)
  })

  test('POST /pins with a bad body → 400 BAD_REQUEST', async () => {
    for (const body of [{ cid: 'not-a-cid' }, {}, { cid: HELLO, name: 'x'.repeat(256) }, { cid: HELLO, meta: { a: 1 } }]) {
      const r = await api('POST', '/pins', body)
      assert.equal(r.status, 400, JSON.stringify(body))
      assert.equal(r.json.error.reason, 'BAD_REQUEST')
    }
  })

  test('GET /pins lists pinned only by default, newest first, with count and limit', async () => {
    const ids = []
    for (let i = 0; i < 3; i++) ids.push((await api('POST', '/pins', { cid: HELLO, name: `n${i}` })).json.requestid)
    for (const id of ids) await settle(id)
    const all = await api('GET', '/pins')
    assert.equal(all.status, 200)
    assert.ok(all.json.results.every((p) => p.status === 'pinned'))
    assert.equal(all.json.count, 4)
    const created = all.json.results.map((p) => Date.parse(p.created))
    assert.deepEqual(created, [...created].sort((a, b) => b - a))
    const limited = await api('GET', '/pins?limit=2')
    assert.equal(limited.json.results.length, 2)
    assert.equal(limited.json.count, 4)
    assert.deepEqual(limited.json.results.map((p) => p.requestid), [ids[2], ids[1]])
  })

  test('GET /pins filters: status, cid, name/match, meta, before/after', async () => {
    const failed = await api('GET', '/pins?status=failed')
    assert.ok(failed.json.count >= 1)
    assert.ok(failed.json.results.every((p) => p.status === 'failed'))
    const both = await api('GET', '/pins?status=pinned,failed')
    assert.equal(both.json.count, failed.json.count + 4)
    const byCid = await api('GET', `/pins?cid=${ABSENT}&status=queued,pinning,pinned,failed`)
    assert.ok(byCid.json.results.every((p) => p.pin.cid === ABSENT))
    const byName = await api('GET', '/pins?name=N1&match=iexact')
    assert.deepEqual(byName.json.results.map((p) => p.pin.name), ['n1'])
    const exact = await api('GET', '/pins?name=N1')
    assert.equal(exact.json.count, 0)
    const partial = await api('GET', '/pins?name=n&match=partial')
    assert.equal(partial.json.count, 3)
    const meta = await api('GET', `/pins?meta=${encodeURIComponent(JSON.stringify({ app: 'gw' }))}`)
    assert.deepEqual(meta.json.results.map((p) => p.pin.name), ['hello.txt'])
    // Paging the way Kubo does: before = created of the oldest item seen.
    const page1 = await api('GET', '/pins?limit=2')
    const page2 = await api('GET', `/pins?limit=2&before=${encodeURIComponent(page1.json.results[1].created)}`)
    assert.equal(page2.json.count, 2)
    assert.equal(page1.json.results.length + page2.json.results.length, 4)
    const nano = page1.json.results[1].created.replace('Z', '000001Z') // RFC3339Nano, a hair later
    const page2b = await api('GET', `/pins?limit=2&before=${encodeURIComponent(nano)}`)
    assert.equal(page2b.json.count, 3)
    const after = await api('GET', `/pins?after=${encodeURIComponent(page1.json.results[1].created)}`)
    assert.equal(after.json.count, 1)
  })

  test('GET /pins with bad parameters → 400', async () => {
    for (const q of ['limit=0', 'limit=1001', 'status=done', 'match=fuzzy', 'before=yesterday', 'meta=%7Bnot-json']) {
      const r = await api('GET', `/pins?${q}`)
      assert.equal(r.status, 400, q)
      assert.equal(r.json.error.reason, 'BAD_REQUEST')
    }
  })

  test('DELETE /pins/{id}: 202 without body, then 404', async () => {
    const id = (await api('POST', '/pins', { cid: HELLO })).json.requestid
    const del = await api('DELETE', `/pins/${id}`)
    assert.equal(del.status, 202)
    assert.equal(del.json, null)
    assert.equal((await api('GET', `/pins/${id}`)).status, 404)
    assert.equal((await api('DELETE', `/pins/${id}`)).json.error.reason, 'NOT_FOUND')
  })

  test('POST /pins/{id} replaces the pin with a new request id', async () => {
    const id = (await api('POST', '/pins', { cid: ABSENT })).json.requestid
    const r = await api('POST', `/pins/${id}`, { cid: HELLO })
    assert.equal(r.status, 202)
    assert.notEqual(r.json.requestid, id)
    assert.equal((await api('GET', `/pins/${id}`)).status, 404)
    assert.equal((await settle(r.json.requestid)).status, 'pinned')
  })

  test('a CIDv0 pin resolves against its stored key too', async () => {
    const v0 = 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o'
    await d.s3.request({ method: 'PUT', key: v0, body: Buffer.from('hello world\n') })
    const r = await api('POST', '/pins', { cid: v0 })
    assert.equal((await settle(r.json.requestid)).status, 'pinned')
  })
})
