/**
 * Decoding of an inflated NIfTI-1 or NIfTI-2 file into a typed voxel array that Cornerstone can
 * render (Uint8, Int16, Uint16 or Float32), with the header's scaling applied.
 *
 * The header is read by nifti-reader-js. The voxel order is kept as stored (x fastest), and an
 * unscaled little-endian file of a supported type is used in place, without a copy.
 */

import { readHeader } from 'nifti-reader-js';

/** Voxel arrays that Cornerstone's local volumes accept. */
export type VoxelArray = Uint8Array | Int16Array | Uint16Array | Float32Array;

/** A decoded volume: its shape, voxels in NIfTI order, and its header affine (RAS+ mm). */
export interface DecodedNifti {
  dimensions: [number, number, number];
  voxels: VoxelArray;
  affine: number[][];
}

// NIfTI datatype codes (nifti1.h) and the array types that hold them.
const STORED_TYPES: Record<number, { bytes: number; read: (buffer: ArrayBuffer, offset: number, length: number) => ArrayLike<number> }> = {
  2: { bytes: 1, read: (b, o, n) => new Uint8Array(b, o, n) },
  4: { bytes: 2, read: (b, o, n) => new Int16Array(b, o, n) },
  8: { bytes: 4, read: (b, o, n) => new Int32Array(b, o, n) },
  16: { bytes: 4, read: (b, o, n) => new Float32Array(b, o, n) },
  64: { bytes: 8, read: (b, o, n) => new Float64Array(b, o, n) },
  256: { bytes: 1, read: (b, o, n) => new Int8Array(b, o, n) },
  512: { bytes: 2, read: (b, o, n) => new Uint16Array(b, o, n) },
  768: { bytes: 4, read: (b, o, n) => new Uint32Array(b, o, n) },
};

/** Decode an uncompressed NIfTI file; throws an Error naming the problem for anything else. */
export function decodeNifti(buffer: ArrayBuffer): DecodedNifti {
  const header = readHeader(buffer);
  if (!header) {
    throw new Error('the file is not a NIfTI-1 or NIfTI-2 volume');
  }
  const dims = header.dims;
  const extraVolumes = dims.slice(4, dims[0] + 1).reduce((product, size) => product * Math.max(1, size), 1);
  if (dims[0] < 3 || extraVolumes !== 1) {
    throw new Error(`expected a 3-D volume, the file has dimensions ${dims.slice(1, dims[0] + 1).join('x')}`);
  }
  const dimensions: [number, number, number] = [dims[1], dims[2], dims[3]];
  const count = dims[1] * dims[2] * dims[3];
  const stored = STORED_TYPES[header.datatypeCode];
  if (!stored) {
    throw new Error(`NIfTI datatype ${header.datatypeCode} is not supported`);
  }
  const offset = Math.round(header.vox_offset);
  if (offset + count * stored.bytes > buffer.byteLength) {
    throw new Error(`the file is truncated: it has ${buffer.byteLength} bytes, fewer than its ${count} voxels need`);
  }
  const aligned = offset % stored.bytes === 0 && header.littleEndian;
  const source = aligned ? buffer : littleEndianCopy(buffer, offset, count, stored.bytes, header.littleEndian);
  const raw = stored.read(source, aligned ? offset : 0, count);
  return { dimensions, voxels: scaled(raw, header.scl_slope, header.scl_inter), affine: header.affine };
}

/** Apply scl_slope and scl_inter (a slope of 0 or NaN means no scaling, as NIfTI defines). */
function scaled(raw: ArrayLike<number>, slope: number, intercept: number): VoxelArray {
  const hasSlope = Number.isFinite(slope) && slope !== 0 && slope !== 1;
  const hasIntercept = Number.isFinite(intercept) && intercept !== 0;
  const unscaled = !hasSlope && !hasIntercept;
  if (unscaled && (raw instanceof Uint8Array || raw instanceof Int16Array || raw instanceof Uint16Array || raw instanceof Float32Array)) {
    return raw;
  }
  if (unscaled && raw instanceof Int8Array) {
    return Int16Array.from(raw);
  }
  const factor = hasSlope ? slope : 1;
  const shift = hasIntercept ? intercept : 0;
  const out = new Float32Array(raw.length);
  for (let index = 0; index < raw.length; index++) {
    out[index] = raw[index] * factor + shift;
  }
  return out;
}

/** Copy the voxel bytes to offset 0 of a new buffer, swapping byte order for big-endian files. */
function littleEndianCopy(buffer: ArrayBuffer, offset: number, count: number, bytes: number, littleEndian: boolean): ArrayBuffer {
  const copy = new Uint8Array(buffer.slice(offset, offset + count * bytes));
  if (!littleEndian && bytes > 1) {
    for (let start = 0; start < copy.length; start += bytes) {
      copy.subarray(start, start + bytes).reverse();
    }
  }
  return copy.buffer;
}
