// CID computation for the double: streams bytes through ipfs-unixfs-importer
// under one of the project's named CID profiles. Blocks are hashed and dropped
// (null blockstore), so memory stays bounded whatever the object size.
import { createReadStream } from 'node:fs'
import { createHash } from 'node:crypto'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'

export const PROFILES = Object.freeze(['kubo-add-cidv1', 'unixfs-v1-2025', 'unixfs-v0-2015'])

const SHA2_256 = 0x12
const RAW = 0x55
const DAG_PB = 0x70

// A fresh options object per import: the importer mutates the one it gets.
function importerOptions (profile) {
  switch (profile) {
    case 'kubo-add-cidv1':
      // What tests/reference/lib.mjs does: `ipfs add --cid-version=1`.
      return {
        cidVersion: 1,
        rawLeaves: true,
        reduceSingleLeafToSelf: true,
        wrapWithDirectory: false,
        chunker: fixedSize({ chunkSize: 262144 }),
        layout: balanced({ maxChildrenPerNode: 174 })
      }
    case 'unixfs-v1-2025':
    case 'unixfs-v0-2015':
      // IPIP-499 presets as implemented by the importer's `profile` option.
      return { profile, wrapWithDirectory: false }
    default:
      throw new Error(`unknown CID profile ${JSON.stringify(profile)} (one of ${PROFILES.join(', ')})`)
  }
}

const nullBlockstore = { async put (cid) { return cid } }

// content: Uint8Array, or an (async) iterable of Uint8Array (e.g. a stream).
export async function cidOf (profile, content) {
  let last
  for await (const entry of importer([{ content }], nullBlockstore, importerOptions(profile))) {
    last = entry
  }
  if (last === undefined) throw new Error('importer produced no entry')
  return last.cid.toString()
}

export function cidOfFile (profile, path) {
  return cidOf(profile, createReadStream(path, { highWaterMark: 1 << 20 }))
}

// A wrong but well-formed CID of the same shape (version, codec, base) as `cid`:
// the digest is sha256 of the real CID string, so it is deterministic and never
// equals the real one.
export function wrongCid (cid) {
  const real = CID.parse(cid)
  const digest = Digest.create(SHA2_256, createHash('sha256').update('wrong-cid:' + cid).digest())
  if (real.version === 0) return CID.createV0(digest).toString()
  return CID.createV1(real.code === RAW ? RAW : DAG_PB, digest).toString()
}

// Parses a CID string; returns null if it is not a CID.
export function parseCid (s) {
  if (typeof s !== 'string' || s.length === 0 || s.length > 512) return null
  try {
    return CID.parse(s)
  } catch {
    return null
  }
}
