/**
 * Bytes of a saved mask on the wire: the SHA-256 checksum of the raw bitmask and its gzip
 * compression. Both use the browser's native implementations (Web Crypto and Compression
 * Streams); only the checksum of a page served over plain HTTP falls back to sha256.ts.
 */

import { sha256HexPortable } from './sha256';

/**
 * Compute the lower-case hex SHA-256 of the raw mask bytes, as the server verifies it. Pages
 * served over plain HTTP have no Web Crypto, and then the portable implementation runs.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  if (!globalThis.crypto?.subtle) {
    return sha256HexPortable(bytes);
  }
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (value) => value.toString(16).padStart(2, '0')).join('');
}

// Bytes handed to the compressor at a time; views into the mask, so the mask is never copied.
const CHUNK_BYTES = 1 << 20;

/** Gzip bytes with CompressionStream; returns the compressed bytes. */
export async function gzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  let offset = 0;
  const source = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.subarray(offset, offset + CHUNK_BYTES) as Uint8Array<ArrayBuffer>);
      offset += CHUNK_BYTES;
    },
  });
  const stream = source.pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Inflate gzip bytes with DecompressionStream. */
export async function gunzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Return the XOR of two masks, the server's `xor-delta` kind, mostly zeros for a small edit. */
export function xorDelta(base: Uint8Array, current: Uint8Array): Uint8Array {
  if (base.length !== current.length) {
    throw new Error(`cannot diff masks of ${base.length} and ${current.length} voxels`);
  }
  const delta = new Uint8Array(current.length);
  for (let index = 0; index < delta.length; index++) {
    delta[index] = base[index] ^ current[index];
  }
  return delta;
}
