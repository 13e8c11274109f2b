#!/usr/bin/env node
// Checks the reference importer against known Kubo `ipfs add --cid-version=1`
// vectors, and every CID profile against ipfs-specs.md §1.12. Exits non-zero on
// any mismatch.
import { mkdtempSync, writeFileSync, createWriteStream, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { cidOf, cidOfFile, drng, CHUNK_SIZE, MAX_CHILDREN, PROFILES } from './lib.mjs'

// `pattern N` of ipfs-specs.md §1.12: N bytes where byte i is i % 251.
function pattern (n) {
  const bytes = new Uint8Array(n)
  for (let i = 0; i < n; i++) bytes[i] = i % 251
  return bytes
}

const te = new TextEncoder()
const vectors = [
  { name: '"hello world" (11 B)', bytes: () => te.encode('hello world'), size: 11n,
    cid: 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e' },
  { name: 'empty file', bytes: () => new Uint8Array(0), size: 0n,
    cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku' },
  { name: '"hello world\\n" (12 B)', bytes: () => te.encode('hello world\n'), size: 12n,
    cid: 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4' },
  { name: 'DRNG(262145, "chunk-v0-seed")', stream: () => drng(CHUNK_SIZE + 1, 'chunk-v0-seed'),
    size: BigInt(CHUNK_SIZE + 1),
    cid: 'bafybeibyui7o3sbw3yifnewshhrbnuntcehluzvbkwgi5vmtsdobnc2c6y' },
  { name: 'DRNG(174*262144+1, "v0-seed")', stream: () => drng(MAX_CHILDREN * CHUNK_SIZE + 1, 'v0-seed'),
    size: BigInt(MAX_CHILDREN * CHUNK_SIZE + 1),
    cid: 'bafybeifr472xiwfk53w5s7bayijk3lq2go6ocqqcfch6ygy5qwza5hkdl4' }
]

// [input, bytes, kubo-add-cidv1, unixfs-v1-2025, unixfs-v0-2015]
const profileVectors = [
  ['empty file', () => new Uint8Array(0), 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
    'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', 'QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH'],
  ['"hello world\\n"', () => te.encode('hello world\n'), 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4',
    'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4', 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o'],
  ['pattern 262145', () => pattern(262145), 'bafybeiexg2oqkfnj56l7fcmawswqbijt5shq4b5rg6a546uwpkqqzwjioi',
    'bafkreidkcavdl3yt2jt36sd4cuqnqk2p6vaxq66iykemz6mk527hnbqbni', 'QmUSjGawaz4ptvREcMKSMJneWCa5j8dAz2wSAAvHtW2rnB'],
  ['pattern 1048577', () => pattern(1048577), 'bafybeig7rd7v2ygpkiiyu3kzsojmrj3ujtinivk7fxid5p33t6kdewzvsm',
    'bafybeidjogjfwuhbzwopgd4bn3skcf5m6oz72xshywcndzxgqb623nfclu', 'QmXFGdWM6dMXHxGby9dZifmvH5ws2MwYCE1paUfJSp3Kj6']
]

const dir = mkdtempSync(join(tmpdir(), 'cid-selftest-'))
let passed = 0
let failed = 0
try {
  for (const [i, v] of vectors.entries()) {
    // In-memory / generator path.
    const mem = await cidOf(v.bytes ? v.bytes() : v.stream())
    // File path (the same code path cid.mjs uses: fs.createReadStream).
    const file = join(dir, `v${i}.bin`)
    if (v.bytes) {
      writeFileSync(file, v.bytes())
    } else {
      const ws = createWriteStream(file)
      for (const buf of v.stream()) {
        if (!ws.write(buf)) await once(ws, 'drain')
      }
      ws.end()
      await once(ws, 'finish')
    }
    const disk = await cidOfFile(file)
    for (const [how, got] of [['memory', mem], ['file', disk]]) {
      const ok = got.cid === v.cid && got.size === v.size
      if (ok) {
        passed++
        console.log(`ok   ${v.name} [${how}] ${got.cid} ${got.size}`)
      } else {
        failed++
        console.log(`FAIL ${v.name} [${how}] got ${got.cid} ${got.size}, want ${v.cid} ${v.size}`)
      }
    }
  }
  for (const [name, bytes, ...want] of profileVectors) {
    for (const [i, profile] of PROFILES.entries()) {
      const got = await cidOf(bytes(), profile)
      if (got.cid === want[i]) {
        passed++
        console.log(`ok   ${name} [${profile}] ${got.cid}`)
      } else {
        failed++
        console.log(`FAIL ${name} [${profile}] got ${got.cid}, want ${want[i]}`)
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
