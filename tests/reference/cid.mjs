#!/usr/bin/env node
// Usage: node tests/reference/cid.mjs [--profile NAME] FILE [FILE...]
// Prints `<cid> <size> <path>` per file, as the gateway computes the CID under
// the CID profile NAME (GW_CID_PROFILE): kubo-add-cidv1 (the default, Kubo
// `ipfs add --cid-version=1`), unixfs-v1-2025 or unixfs-v0-2015.
import { cidOfFile, checkProfile, DEFAULT_PROFILE, PROFILES } from './lib.mjs'

const usage = `usage: node cid.mjs [--profile ${PROFILES.join('|')}] FILE [FILE...]\n`
const args = process.argv.slice(2)
let profile = DEFAULT_PROFILE
if (args[0] === '--profile' || args[0]?.startsWith('--profile=')) {
  profile = args[0] === '--profile' ? args.splice(0, 2)[1] : args.shift().slice('--profile='.length)
}
const files = args
try {
  if (profile === undefined || profile === '') throw new Error('--profile needs a NAME')
  checkProfile(profile)
} catch (err) {
  process.stderr.write(`cid.mjs: ${err.message}\n${usage}`)
  process.exit(2)
}
if (files.length === 0) {
  process.stderr.write(usage)
  process.exit(2)
}
let failed = false
for (const f of files) {
  try {
    const { cid, size } = await cidOfFile(f, profile)
    process.stdout.write(`${cid} ${size} ${f}\n`)
  } catch (err) {
    process.stderr.write(`cid.mjs: ${f}: ${err.message}\n`)
    failed = true
  }
}
process.exit(failed ? 1 : 0)
