#!/usr/bin/env node
// Usage: node bench/js/importer_bench.mjs FILE [RUNS]
// Times the pinned JS reference importer (tests/reference, ipfs-unixfs-importer
// with Kubo `ipfs add --cid-version=1` default-profile options) on FILE,
// streaming from disk, and reports the best of RUNS (default 3) runs.
// Requires `npm ci` in tests/reference first.
import { statSync } from 'node:fs'
import { cidOfFile } from '../../tests/reference/lib.mjs'

const file = process.argv[2]
const runs = Number(process.argv[3] ?? 3)
if (!file || !(runs >= 1)) {
  process.stderr.write('usage: node bench/js/importer_bench.mjs FILE [RUNS]\n')
  process.exit(2)
}
const bytes = statSync(file).size
let best = Infinity
let cid
for (let i = 1; i <= runs; i++) {
  const t0 = process.hrtime.bigint()
  const r = await cidOfFile(file)
  const secs = Number(process.hrtime.bigint() - t0) / 1e9
  if (cid !== undefined && r.cid !== cid) throw new Error(`CID changed between runs: ${cid} vs ${r.cid}`)
  cid = r.cid
  best = Math.min(best, secs)
  console.log(`run ${i}: ${secs.toFixed(3)} s  ${(bytes / 1e6 / secs).toFixed(1)} MB/s`)
}
console.log(`file=${file} bytes=${bytes} cid=${cid}`)
console.log(`best: ${best.toFixed(3)} s  ${(bytes / 1e6 / best).toFixed(1)} MB/s  ${(bytes / 1048576 / best).toFixed(1)} MiB/s  (node ${process.version}, ipfs-unixfs-importer, best of ${runs})`)
