import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../viewer/geometry';
import { boundingBox, boxVoxelCount, EMPTY_BOX, expandBox, extractBox, formatBox, parseBox, type CropBox } from './cropEncoding';

const DIMENSIONS: Vec3 = [7, 5, 4];

function indexOf(i: number, j: number, k: number, [nx, ny]: Vec3 = DIMENSIONS): number {
  return i + nx * (j + ny * k);
}

function maskWith(voxels: Array<[number, number, number, number]>, dimensions: Vec3 = DIMENSIONS): Uint8Array {
  const mask = new Uint8Array(dimensions[0] * dimensions[1] * dimensions[2]);
  for (const [i, j, k, value] of voxels) {
    mask[indexOf(i, j, k, dimensions)] = value;
  }
  return mask;
}

describe('boundingBox', () => {
  it('is the empty box of an empty mask', () => {
    expect(boundingBox(new Uint8Array(7 * 5 * 4), DIMENSIONS)).toEqual(EMPTY_BOX);
  });

  it('bounds a single voxel by one voxel', () => {
    expect(boundingBox(maskWith([[3, 2, 1, 4]]), DIMENSIONS)).toEqual([3, 2, 1, 4, 3, 2]);
  });

  it('bounds voxels at opposite corners of the grid', () => {
    expect(boundingBox(maskWith([[0, 0, 0, 1], [6, 4, 3, 2]]), DIMENSIONS)).toEqual([0, 0, 0, 7, 5, 4]);
  });

  it('finds voxels in the bytes after the last whole word', () => {
    // 7 * 5 * 4 = 140 voxels: the scan reads 35 words; a grid of 3 * 3 * 3 = 27 leaves 3 bytes over.
    const dimensions: Vec3 = [3, 3, 3];
    expect(boundingBox(maskWith([[2, 2, 2, 1]], dimensions), dimensions)).toEqual([2, 2, 2, 3, 3, 3]);
  });

  it('scans a mask that starts at an odd byte offset', () => {
    const buffer = new Uint8Array(1 + 7 * 5 * 4);
    const mask = buffer.subarray(1);
    mask[indexOf(1, 3, 2)] = 1;
    expect(boundingBox(mask, DIMENSIONS)).toEqual([1, 3, 2, 2, 4, 3]);
  });
});

describe('extractBox and expandBox', () => {
  it('round-trip a mask through its tight crop', () => {
    const mask = maskWith([[1, 1, 1, 1], [4, 3, 2, 3], [2, 1, 3, 7]]);
    const box = boundingBox(mask, DIMENSIONS);
    const crop = extractBox(mask, DIMENSIONS, box);
    expect(crop.length).toBe(boxVoxelCount(box));
    expect(expandBox(DIMENSIONS, box, crop)).toEqual(mask);
  });

  it('keeps NIfTI order inside the crop (i fastest)', () => {
    const mask = maskWith([[2, 1, 0, 5], [3, 1, 0, 6], [2, 2, 0, 7]]);
    const crop = extractBox(mask, DIMENSIONS, [2, 1, 0, 4, 3, 1]);
    expect(Array.from(crop)).toEqual([5, 6, 7, 0]);
  });

  it('expands the empty box to an empty grid', () => {
    expect(expandBox(DIMENSIONS, [...EMPTY_BOX], new Uint8Array(0))).toEqual(new Uint8Array(140));
  });

  it('rejects a crop whose size does not match its box', () => {
    expect(() => expandBox(DIMENSIONS, [0, 0, 0, 2, 2, 2], new Uint8Array(7))).toThrow(/7 voxels, not 8/);
  });
});

describe('parseBox and formatBox', () => {
  it('read the header the server writes', () => {
    const box: CropBox = [1, 2, 0, 5, 4, 3];
    expect(parseBox(formatBox(box), DIMENSIONS)).toEqual(box);
    expect(formatBox(box)).toBe('1,2,0,5,4,3');
  });

  it('returns null for a missing or blank header', () => {
    expect(parseBox(null, DIMENSIONS)).toBeNull();
    expect(parseBox(' ', DIMENSIONS)).toBeNull();
  });

  it('accepts the empty box', () => {
    expect(parseBox('0,0,0,0,0,0', DIMENSIONS)).toEqual(EMPTY_BOX);
  });

  it('rejects a box outside the grid or a malformed one', () => {
    expect(() => parseBox('0,0,0,8,5,4', DIMENSIONS)).toThrow(/does not lie inside the grid 7x5x4/);
    expect(() => parseBox('3,0,0,2,5,4', DIMENSIONS)).toThrow(/does not lie inside/);
    expect(() => parseBox('0,0,0,1,1', DIMENSIONS)).toThrow(/does not lie inside/);
    expect(() => parseBox('0,0,0,1,1,x', DIMENSIONS)).toThrow(/does not lie inside/);
  });
});
