#!/usr/bin/env node
// Usage: node tests/reference/gen_files.mjs DIR
// Writes the reference test's deterministic input set into DIR as
// f<NN>-<size>.bin and prints one manifest line per file: `<path> <size>`.
//
// Content of each file is DRNG(size, seed) (see lib.mjs: ChaCha20 keystream,
// key = sha256(seed), zero nonce, counter 0). The seed is `gen_files-v1:f<NN>`,
// except f04 (262145 B, seed "chunk-v0-seed") and f06 (174*262144+1 B, seed
// "v0-seed"), which reproduce the known Kubo vectors checked in selftest.mjs.
//
// Sizes: the chunk / fan-out boundaries of the default profile, 100 MiB and
// 100 MiB - 1, then seeded pseudo-random sizes (some chunk-aligned +-1) up to
// 100 MiB, 22 files in all, about 422 MiB total. (A three-level DAG needs
// 174^2*262144+1 B ~ 7.4 GiB, which is too big for the test machine.)
import { mkdirSync, createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { once } from 'node:events'
import { drng, CHUNK_SIZE, MAX_CHILDREN } from './lib.mjs'

const MiB = 1024 * 1024
const TOTAL_FILES = 22
const MAX_RANDOM = 100 * MiB
const BUDGET = 700 * MiB

const fixed = [
  { size: 0 },
  { size: 1 },
  { size: CHUNK_SIZE - 1 },
  { size: CHUNK_SIZE },
  { size: CHUNK_SIZE + 1, seed: 'chunk-v0-seed' },
  { size: MAX_CHILDREN * CHUNK_SIZE },
  { size: MAX_CHILDREN * CHUNK_SIZE + 1, seed: 'v0-seed' },
  { size: 100 * MiB },
  { size: 100 * MiB - 1 }
]

// Deterministic uniform integers in [0, n) from a seeded DRNG stream.
function * uniforms (seed) {
  for (const buf of drng(1 << 16, seed, 1 << 16)) {
    for (let i = 0; i + 6 <= buf.length; i += 6) yield buf.readUIntLE(i, 6) / 2 ** 48
  }
  throw new Error('uniform stream exhausted')
}

function randomSizes (count, budget) {
  const u = uniforms('gen_files-v1:sizes')
  const next = () => u.next().value
  const out = []
  let left = budget
  for (let i = 0; i < count; i++) {
    const cap = Math.max(2, Math.min(MAX_RANDOM, Math.floor(left / (count - i) * 2)))
    let size
    if (i % 3 === 2) {
      // chunk-aligned, +-1 or exact
      const k = 1 + Math.floor(next() * Math.max(1, Math.floor(cap / CHUNK_SIZE) - 1))
      size = k * CHUNK_SIZE + (Math.floor(next() * 3) - 1)
    } else {
      // log-uniform in [2, cap]
      size = Math.floor(Math.exp(Math.log(2) + next() * (Math.log(cap) - Math.log(2))))
    }
    size = Math.min(size, cap)
    out.push(size)
    left -= size
  }
  return out
}

async function writeFile (path, size, seed) {
  const ws = createWriteStream(path)
  for (const buf of drng(size, seed)) {
    if (!ws.write(buf)) await once(ws, 'drain')
  }
  ws.end()
  await once(ws, 'finish')
}

const dir = process.argv[2]
if (!dir) {
  process.stderr.write('usage: node gen_files.mjs DIR\n')
  process.exit(2)
}
mkdirSync(dir, { recursive: true })

const fixedTotal = fixed.reduce((a, f) => a + f.size, 0)
const files = [
  ...fixed,
  ...randomSizes(TOTAL_FILES - fixed.length, BUDGET - fixedTotal - 100 * MiB).map(size => ({ size }))
]
for (const [i, f] of files.entries()) {
  const nn = String(i).padStart(2, '0')
  const path = join(dir, `f${nn}-${f.size}.bin`)
  await writeFile(path, f.size, f.seed ?? `gen_files-v1:f${nn}`)
  process.stdout.write(`${path} ${f.size}\n`)
}
