// Shared helpers for the JS reference CID implementation, one per gateway CID
// profile (GW_CID_PROFILE):
//   kubo-add-cidv1 (default): Kubo `ipfs add --cid-version=1`: CIDv1, raw
//     leaves, fixed-size chunker 262144 B, balanced layout with 174 links per
//     node, single-leaf files reduced to the leaf, sha2-256. Spelled out with
//     explicit importer options, as before profiles existed.
//   unixfs-v1-2025, unixfs-v0-2015: IPIP-499, through the importer's own
//     `profile` option (ipfs-unixfs-importer 17.1.x).
import { createReadStream } from 'node:fs'
import { createHash, createCipheriv } from 'node:crypto'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'

export const CHUNK_SIZE = 262144
export const MAX_CHILDREN = 174

export const KUBO_V1_OPTIONS = Object.freeze({
  cidVersion: 1,
  rawLeaves: true,
  reduceSingleLeafToSelf: true,
  wrapWithDirectory: false
})

export const DEFAULT_PROFILE = 'kubo-add-cidv1'
export const PROFILES = Object.freeze([DEFAULT_PROFILE, 'unixfs-v1-2025', 'unixfs-v0-2015'])

export function checkProfile (profile) {
  if (!PROFILES.includes(profile)) {
    throw new Error(`unknown profile '${profile}' (valid: ${PROFILES.join(', ')})`)
  }
}

// A fresh object per import: the importer writes the profile's settings into it.
function importerOptions (profile = DEFAULT_PROFILE) {
  checkProfile(profile)
  if (profile === DEFAULT_PROFILE) {
    return {
      ...KUBO_V1_OPTIONS,
      chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
      layout: balanced({ maxChildrenPerNode: MAX_CHILDREN })
    }
  }
  return { profile, wrapWithDirectory: false }
}

// Blocks are hashed by the importer and then discarded: only `put` is used.
export const nullBlockstore = {
  async put (cid) { return cid }
}

// content: Uint8Array or (async) iterable of Uint8Array; profile: one of PROFILES.
// Returns { cid: string, size: bigint } where size is the file's byte length.
export async function cidOf (content, profile = DEFAULT_PROFILE) {
  const options = importerOptions(profile)
  let last
  for await (const entry of importer([{ content }], nullBlockstore, options)) {
    last = entry
  }
  if (last === undefined) throw new Error('importer produced no entry')
  const size = last.unixfs != null ? last.unixfs.fileSize() : last.size
  return { cid: last.cid.toString(), size: BigInt(size) }
}

// Streams the file from disk (never whole-file buffered).
export async function cidOfFile (path, profile = DEFAULT_PROFILE) {
  checkProfile(profile) // before the file is opened
  return cidOf(createReadStream(path, { highWaterMark: 1 << 20 }), profile)
}

// DRNG(size, seed): ChaCha20 keystream, key = sha256(seed), nonce = 12 zero
// bytes, counter 0. Node's iv is 4-byte LE counter || 12-byte nonce.
// Yields Buffers of at most `piece` bytes.
export function * drng (size, seed, piece = 1 << 20) {
  const key = createHash('sha256').update(seed, 'utf8').digest()
  const cipher = createCipheriv('chacha20', key, Buffer.alloc(16))
  const zeros = Buffer.alloc(piece)
  let left = size
  while (left > 0) {
    const n = Math.min(piece, left)
    yield cipher.update(n === piece ? zeros : zeros.subarray(0, n))
    left -= n
  }
}
