#!/usr/bin/env node
// Usage: node tests/reference/cid.mjs FILE [FILE...]
// Prints `<cid> <size> <path>` per file, as `ipfs add --cid-version=1`
// (Kubo default profile) would compute the CID.
import { cidOfFile } from './lib.mjs'

const files = process.argv.slice(2)
if (files.length === 0) {
  process.stderr.write('usage: node cid.mjs FILE [FILE...]\n')
  process.exit(2)
}
let failed = false
for (const f of files) {
  try {
    const { cid, size } = await cidOfFile(f)
    process.stdout.write(`${cid} ${size} ${f}\n`)
  } catch (err) {
    process.stderr.write(`cid.mjs: ${f}: ${err.message}\n`)
    failed = true
  }
}
process.exit(failed ? 1 : 0)
