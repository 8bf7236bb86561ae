import { describe, expect, it } from 'vitest';
import { decodeNifti } from './niftiDecode';

interface FakeNifti {
  dims: number[];
  datatype: number;
  bitpix: number;
  values: number[];
  slope?: number;
  intercept?: number;
  littleEndian?: boolean;
}

/** A minimal single-file NIfTI-1 volume (348-byte header, 4 extension bytes, voxels at 352). */
function niftiBytes(spec: FakeNifti): ArrayBuffer {
  const little = spec.littleEndian ?? true;
  const bytesPerVoxel = spec.bitpix / 8;
  const buffer = new ArrayBuffer(352 + spec.values.length * bytesPerVoxel);
  const view = new DataView(buffer);
  view.setInt32(0, 348, little);
  const dims = [spec.dims.length, ...spec.dims, 1, 1, 1, 1, 1, 1, 1].slice(0, 8);
  dims.forEach((value, index) => view.setInt16(40 + 2 * index, value, little));
  view.setInt16(70, spec.datatype, little);
  view.setInt16(72, spec.bitpix, little);
  [1, 1, 1, 1, 1, 1, 1, 1].forEach((value, index) => view.setFloat32(76 + 4 * index, value, little));
  view.setFloat32(108, 352, little);
  view.setFloat32(112, spec.slope ?? 0, little);
  view.setFloat32(116, spec.intercept ?? 0, little);
  view.setInt16(254, 1, little);
  [[-1, 0, 0, 5], [0, -1, 0, 6], [0, 0, 1, 7]].forEach((row, r) =>
    row.forEach((value, c) => view.setFloat32(280 + 16 * r + 4 * c, value, little)),
  );
  new Uint8Array(buffer, 344, 4).set([0x6e, 0x2b, 0x31, 0]);
  spec.values.forEach((value, index) => {
    const offset = 352 + index * bytesPerVoxel;
    if (spec.datatype === 4) view.setInt16(offset, value, little);
    else if (spec.datatype === 2) view.setUint8(offset, value);
    else if (spec.datatype === 16) view.setFloat32(offset, value, little);
    else if (spec.datatype === 8) view.setInt32(offset, value, little);
  });
  return buffer;
}

describe('decodeNifti', () => {
  it('reads int16 voxels in place with the shape and affine', () => {
    const buffer = niftiBytes({ dims: [2, 2, 2], datatype: 4, bitpix: 16, values: [0, 1, 2, 3, 4, 5, 6, -7] });
    const decoded = decodeNifti(buffer);
    expect(decoded.dimensions).toEqual([2, 2, 2]);
    expect(decoded.voxels).toBeInstanceOf(Int16Array);
    expect(Array.from(decoded.voxels)).toEqual([0, 1, 2, 3, 4, 5, 6, -7]);
    expect(decoded.voxels.buffer).toBe(buffer);
    expect(decoded.affine[0][3]).toBe(5);
  });

  it('applies scl_slope and scl_inter into float voxels', () => {
    const decoded = decodeNifti(
      niftiBytes({ dims: [2, 1, 1], datatype: 4, bitpix: 16, values: [10, 20], slope: 2, intercept: 0 }),
    );
    expect(decoded.voxels).toBeInstanceOf(Float32Array);
    expect(Array.from(decoded.voxels)).toEqual([20, 40]);
  });

  it('swaps the byte order of a big-endian file', () => {
    const decoded = decodeNifti(
      niftiBytes({ dims: [3, 1, 1], datatype: 4, bitpix: 16, values: [1, 256, -2], littleEndian: false }),
    );
    expect(Array.from(decoded.voxels)).toEqual([1, 256, -2]);
  });

  it('converts int32 voxels to float', () => {
    const decoded = decodeNifti(niftiBytes({ dims: [2, 1, 1], datatype: 8, bitpix: 32, values: [70000, -3] }));
    expect(decoded.voxels).toBeInstanceOf(Float32Array);
    expect(Array.from(decoded.voxels)).toEqual([70000, -3]);
  });

  it('rejects a 4-D series', () => {
    expect(() => decodeNifti(niftiBytes({ dims: [1, 1, 1, 2], datatype: 2, bitpix: 8, values: [1, 2] }))).toThrow(
      /3-D volume/,
    );
  });

  it('rejects a file shorter than its voxels', () => {
    const buffer = niftiBytes({ dims: [4, 4, 4], datatype: 2, bitpix: 8, values: [1] });
    expect(() => decodeNifti(buffer)).toThrow(/truncated: it has 353 bytes, fewer than its 64 voxels/);
  });

  it('rejects bytes that are not NIfTI', () => {
    expect(() => decodeNifti(new ArrayBuffer(400))).toThrow(/not a NIfTI/);
  });
});
