// The control API's fault modes.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { CID } from 'multiformats/cid'
import { startDouble, rawRequest, xmlText, sleep, TOKEN, BUCKET } from './lib/testkit.mjs'

const HELLO = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4'
const hello = Buffer.from('hello world\n')

describe('faults', () => {
  let d
  before(async () => {
    d = await startDouble()
    await d.s3.request({ method: 'PUT', key: 'hello.txt', body: hello })
  })
  after(async () => { await d?.stop() })

  const head = () => d.s3.request({ method: 'HEAD', key: 'hello.txt', timeoutMs: 5000 })
  const setFault = async (spec) => {
    const r = await d.control('POST', '/fault', spec)
    assert.equal(r.status, 200, JSON.stringify(r.json))
    return r.json
  }

  test('invalid fault specs → 400', async () => {
    for (const spec of [{ mode: 'explode' }, { mode: 'hang', count: 0 }, { mode: 'hang', count: 1.5 }, { mode: 'down', count: 1 },
      { mode: 'slowdown', seconds: -1 }, { mode: 'error500', target: 'ftp' }]) {
      const r = await d.control('POST', '/fault', spec)
      assert.equal(r.status, 400, JSON.stringify(spec))
      assert.ok(r.json.error)
    }
    assert.equal((await d.control('GET', '/fault')).json.mode, 'none')
  })

  test('slowdown with count 2: two 503 SlowDown answers, then normal', async () => {
    await setFault({ mode: 'slowdown', count: 2 })
    for (let i = 0; i < 2; i++) {
      const r = await d.s3.request({ method: 'GET', key: 'hello.txt' })
      assert.equal(r.status, 503)
      assert.equal(xmlText(r.body, 'Code'), 'SlowDown')
      assert.equal(r.headers['content-type'], 'application/xml')
    }
    assert.equal((await head()).status, 200)
    assert.equal((await d.control('GET', '/fault')).json.mode, 'none')
  })

  test('slowdown applies to uploads too (body read, nothing stored)', async () => {
    await setFault({ mode: 'slowdown', count: 1 })
    const r = await d.s3.request({ method: 'PUT', key: 'slow.txt', body: hello })
    assert.equal(r.status, 503)
    assert.equal((await d.s3.request({ method: 'HEAD', key: 'slow.txt' })).status, 404)
  })

  test('error500 until changed: 500 InternalError', async () => {
    await setFault({ mode: 'error500' })
    for (let i = 0; i < 3; i++) {
      const r = await d.s3.request({ method: 'GET', key: 'hello.txt' })
      assert.equal(r.status, 500)
      assert.equal(xmlText(r.body, 'Code'), 'InternalError')
    }
    await setFault({ mode: 'none' })
    assert.equal((await head()).status, 200)
  })

  test('a fault with seconds ends by itself', async () => {
    const state = await setFault({ mode: 'error500', seconds: 0.4 })
    assert.ok(state.until)
    assert.equal((await head()).status, 500)
    await sleep(700)
    assert.equal((await head()).status, 200)
  })

  test('wrong-cid with count 1: a well-formed CID that is not the content\'s, once', async () => {
    await setFault({ mode: 'wrong-cid', count: 1 })
    const put = await d.s3.request({ method: 'PUT', key: 'w.txt', body: hello })
    assert.equal(put.status, 200)
    const wrong = put.headers['x-amz-meta-cid']
    assert.notEqual(wrong, HELLO)
    const parsed = CID.parse(wrong)
    assert.equal(parsed.version, 1)
    assert.equal(parsed.code, 0x55)
    assert.equal((await d.s3.request({ method: 'HEAD', key: 'w.txt' })).headers['x-amz-meta-cid'], HELLO)
    const { json } = await d.control('GET', '/requests')
    const e = json.requests.find((x) => x.method === 'PUT' && x.path === `/${BUCKET}/w.txt`)
    assert.equal(e.fault, 'wrong-cid')
    assert.equal(e.cid, wrong)
  })

  test('wrong-cid counts only answers that carry a CID', async () => {
    await setFault({ mode: 'wrong-cid', count: 1 })
    const list = await d.s3.request({ method: 'GET', path: `/${BUCKET}`, query: { 'list-type': '2' } })
    assert.equal(list.status, 200)
    const h = await head()
    assert.notEqual(h.headers['x-amz-meta-cid'], HELLO)
    assert.equal((await head()).headers['x-amz-meta-cid'], HELLO)
  })

  test('hang with count 1: accepted, never answered; the next request is answered', async () => {
    await d.control('POST', '/requests/clear')
    await setFault({ mode: 'hang', count: 1 })
    await assert.rejects(d.s3.request({ method: 'GET', key: 'hello.txt', timeoutMs: 600 }), /timeout after 600 ms/)
    assert.equal((await head()).status, 200)
    const { json } = await d.control('GET', '/requests')
    assert.equal(json.requests[0].fault, 'hang')
    assert.equal(json.requests[0].status, null)
    assert.equal(json.requests[1].status, 200)
  })

  test('down: connections refused until mode none, then served again', async () => {
    await setFault({ mode: 'down' })
    await assert.rejects(head(), (err) => err.code === 'ECONNREFUSED')
    await assert.rejects(rawRequest({ port: d.port, method: 'GET', path: '/pinning/pins', timeoutMs: 2000 }), (err) => err.code === 'ECONNREFUSED')
    const health = await d.control('GET', '/health')
    assert.equal(health.json.s3Listening, false)
    assert.equal(health.json.fault.mode, 'down')
    await setFault({ mode: 'none' })
    assert.equal((await head()).status, 200)
    assert.equal((await d.control('GET', '/health')).json.s3Listening, true)
  })

  test('down with seconds reopens by itself', async () => {
    await setFault({ mode: 'down', seconds: 0.5 })
    await assert.rejects(head(), (err) => err.code === 'ECONNREFUSED')
    await sleep(900)
    assert.equal((await head()).status, 200)
  })

  test('down cuts open keep-alive connections and hung requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const s = await d.s3.signed({ method: 'HEAD', key: 'hello.txt' })
      const first = await new Promise((resolve, reject) => {
        const r = http.request({ host: '127.0.0.1', port: d.port, method: 'HEAD', path: s.path, headers: s.headers, agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)) })
        r.on('error', reject)
        r.end()
      })
      assert.equal(first, 200)
      await setFault({ mode: 'hang' })
      const hung = d.s3.request({ method: 'GET', key: 'hello.txt', timeoutMs: 5000 }).then(() => null, (err) => err)
      await sleep(100)
      await setFault({ mode: 'down' })
      const err = await hung
      assert.ok(err !== null && (err.code === 'ECONNRESET' || /socket hang up/.test(err.message)), String(err))
      const again = await d.s3.signed({ method: 'HEAD', key: 'hello.txt' })
      await assert.rejects(new Promise((resolve, reject) => {
        const r = http.request({ host: '127.0.0.1', port: d.port, method: 'HEAD', path: again.path, headers: again.headers, agent }, resolve)
        r.on('error', reject)
        r.setTimeout(3000, () => r.destroy(new Error('timeout')))
        r.end()
      }), (err) => err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET')
    } finally {
      agent.destroy()
      await setFault({ mode: 'none' })
    }
    assert.equal((await head()).status, 200)
  })

  test('target pinning: the pinning API fails, S3 does not', async () => {
    await setFault({ mode: 'error500', target: 'pinning', count: 1 })
    assert.equal((await head()).status, 200)
    const r = await rawRequest({ port: d.port, method: 'GET', path: '/pinning/pins', headers: { authorization: `Bearer ${TOKEN}` } })
    assert.equal(r.status, 500)
    assert.equal(JSON.parse(r.body).error.reason, 'INTERNAL_SERVER_ERROR')
    const ok = await rawRequest({ port: d.port, method: 'GET', path: '/pinning/pins', headers: { authorization: `Bearer ${TOKEN}` } })
    assert.equal(ok.status, 200)
  })

  test('wrong-cid on target pinning: the PinStatus names another CID, once, and S3 is spared', async () => {
    const cid = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4'
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
    await setFault({ mode: 'wrong-cid', target: 'pinning', count: 1 })
    assert.equal((await head()).status, 200)
    assert.equal((await d.control('GET', '/fault')).json.mode, 'wrong-cid', 'an S3 answer took the pinning fault')
    const body = JSON.stringify({ cid })
    const lied = await rawRequest({ port: d.port, method: 'POST', path: '/pinning/pins', headers: auth, body })
    assert.equal(lied.status, 202, String(lied.body))
    const wrong = JSON.parse(lied.body).pin.cid
    assert.notEqual(wrong, cid)
    assert.ok(wrong.startsWith('bafkrei'), wrong)
    const honest = await rawRequest({ port: d.port, method: 'GET', path: `/pinning/pins/${JSON.parse(lied.body).requestid}`, headers: auth })
    assert.equal(JSON.parse(honest.body).pin.cid, cid)
  })

  test('by default faults spare the pinning API', async () => {
    await setFault({ mode: 'slowdown' })
    const r = await rawRequest({ port: d.port, method: 'GET', path: '/pinning/pins', headers: { authorization: `Bearer ${TOKEN}` } })
    assert.equal(r.status, 200)
    await setFault({ mode: 'none' })
  })

  test('GET /requests?since=N and POST /requests/clear', async () => {
    await d.control('POST', '/requests/clear')
    await head()
    await head()
    const all = (await d.control('GET', '/requests')).json.requests
    assert.equal(all.length, 2)
    const since = (await d.control('GET', `/requests?since=${all[0].id}`)).json.requests
    assert.deepEqual(since.map((e) => e.id), [all[1].id])
    assert.equal((await d.control('POST', '/requests/clear')).json.cleared, 2)
    assert.equal((await d.control('GET', '/requests')).json.requests.length, 0)
  })
})

describe('clients that leave early', () => {
  let d
  before(async () => { d = await startDouble() })
  after(async () => { await d?.stop() })

  test('an aborted upload and an aborted download leave the double serving, spool empty', async () => {
    const { readdirSync } = await import('node:fs')
    const { join } = await import('node:path')
    const big = Buffer.alloc(8 * 1024 * 1024, 7)
    await d.s3.request({ method: 'PUT', key: 'big', body: big })
    // Upload: announce 8 MiB, send 1 MiB, hang up.
    const s = await d.s3.signed({ method: 'PUT', key: 'partial', body: big })
    await new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: d.port, method: 'PUT', path: s.path, headers: s.headers })
      req.on('error', () => resolve())
      req.write(big.subarray(0, 1024 * 1024), () => setTimeout(() => { req.destroy(); resolve() }, 100))
    })
    // Download: read the first chunk, hang up.
    const g = await d.s3.signed({ method: 'GET', key: 'big' })
    await new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: d.port, method: 'GET', path: g.path, headers: g.headers }, (res) => {
        res.once('data', () => { req.destroy(); resolve() })
      })
      req.on('error', () => resolve())
      req.end()
    })
    await sleep(200)
    assert.equal((await d.s3.request({ method: 'HEAD', key: 'partial' })).status, 404)
    const h = await d.s3.request({ method: 'HEAD', key: 'big' })
    assert.equal(h.status, 200)
    assert.equal(readdirSync(join(d.dir, 'spool')).length, 0)
    const { json } = await d.control('GET', '/requests')
    assert.ok(json.requests.every((e) => e.status !== null))
  })
})

describe('process', () => {
  test('prints exactly one ready line and exits 0 on SIGTERM', async () => {
    const d = await startDouble()
    assert.match(d.stdout(), /^ready \d+ \d+\n$/)
    assert.equal((await d.control('GET', '/health')).json.status, 'ok')
    const r = await d.stop()
    assert.deepEqual(r, { code: 0, signal: null })
    assert.match(d.stdout(), /^ready \d+ \d+\n$/)
  })

  test('exits 0 on SIGTERM while a request hangs', async () => {
    const d = await startDouble()
    await d.control('POST', '/fault', { mode: 'hang' })
    const pending = d.s3.request({ method: 'GET', key: 'x', timeoutMs: 10000 }).catch((err) => err)
    await sleep(200)
    const r = await d.stop()
    assert.deepEqual(r, { code: 0, signal: null })
    assert.ok((await pending) instanceof Error)
  })

  test('bad command lines exit 2 with a message', async () => {
    const { spawnSync } = await import('node:child_process')
    const { DOUBLE } = await import('./lib/testkit.mjs')
    const r = spawnSync(process.execPath, [DOUBLE, '--port', '0'], { encoding: 'utf8', timeout: 10000 })
    assert.equal(r.status, 2)
    assert.match(r.stderr, /--control-port is required/)
    const p = spawnSync(process.execPath, [DOUBLE, '--port', '0', '--control-port', '0', '--dir', '/tmp/x', '--bucket', 'bkt',
      '--access-key', 'a', '--secret-key', 'b', '--pinning-token', 't', '--profile', 'nope'], { encoding: 'utf8', timeout: 10000 })
    assert.equal(p.status, 2)
    assert.match(p.stderr, /--profile must be one of/)
  })
})
