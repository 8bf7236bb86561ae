import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../viewer/geometry';
import { annotatedSlices, distanceTransform, interpolateSlices, signedDistance } from './interpolateSlices';

const DIMS: Vec3 = [32, 32, 9];

function paintDisc(voxels: Uint8Array, k: number, centre: [number, number], radius: number): void {
  for (let j = 0; j < DIMS[1]; j++) {
    for (let i = 0; i < DIMS[0]; i++) {
      if ((i - centre[0]) ** 2 + (j - centre[1]) ** 2 <= radius ** 2) {
        voxels[i + DIMS[0] * (j + DIMS[1] * k)] = 1;
      }
    }
  }
}

function countOnSlice(indices: number[], k: number): number {
  const size = DIMS[0] * DIMS[1];
  return indices.filter((index) => Math.floor(index / size) === k).length;
}

describe('interpolateSlices', () => {
  it('fills the slices between two equal discs with the same disc', () => {
    const voxels = new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]);
    paintDisc(voxels, 2, [16, 16], 6);
    paintDisc(voxels, 6, [16, 16], 6);
    const fill = interpolateSlices(voxels, DIMS, 2);
    const discArea = voxels.reduce((sum, value) => sum + value, 0) / 2;
    for (const k of [3, 4, 5]) {
      expect(countOnSlice(fill, k)).toBe(discArea);
    }
  });

  it('grows the shape from a small disc to a large one', () => {
    const voxels = new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]);
    paintDisc(voxels, 0, [16, 16], 3);
    paintDisc(voxels, 8, [16, 16], 11);
    const fill = interpolateSlices(voxels, DIMS, 2);
    const areas = [1, 2, 3, 4, 5, 6, 7].map((k) => countOnSlice(fill, k));
    for (let index = 1; index < areas.length; index++) {
      expect(areas[index]).toBeGreaterThan(areas[index - 1]);
    }
    // Halfway, the radius is about 7 voxels: area near pi * 49.
    expect(areas[3]).toBeGreaterThan(130);
    expect(areas[3]).toBeLessThan(180);
  });

  it('never changes the annotated slices or slices outside the annotated range', () => {
    const voxels = new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]);
    paintDisc(voxels, 3, [10, 10], 4);
    paintDisc(voxels, 5, [12, 10], 4);
    const fill = interpolateSlices(voxels, DIMS, 2);
    for (const k of [0, 1, 2, 3, 5, 6, 7, 8]) {
      expect(countOnSlice(fill, k)).toBe(0);
    }
    expect(countOnSlice(fill, 4)).toBeGreaterThan(0);
  });

  it('does nothing with a single annotated slice', () => {
    const voxels = new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]);
    paintDisc(voxels, 4, [16, 16], 5);
    expect(interpolateSlices(voxels, DIMS, 2)).toEqual([]);
  });

  it('interpolates along the i axis for sagittal slices', () => {
    const voxels = new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]);
    for (const i of [4, 8]) {
      for (let k = 2; k <= 6; k++) {
        for (let j = 10; j <= 20; j++) {
          voxels[i + DIMS[0] * (j + DIMS[1] * k)] = 1;
        }
      }
    }
    const fill = interpolateSlices(voxels, DIMS, 0);
    expect(fill.length).toBe(3 * 5 * 11);
    expect(fill.every((index) => [5, 6, 7].includes(index % DIMS[0]))).toBe(true);
  });
});

describe('annotatedSlices', () => {
  it('lists the slices that hold any voxel', () => {
    const voxels = new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]);
    paintDisc(voxels, 1, [5, 5], 1);
    paintDisc(voxels, 7, [5, 5], 1);
    expect(annotatedSlices(voxels, DIMS, 2)).toEqual([1, 7]);
  });
});

describe('distanceTransform', () => {
  it('gives exact Euclidean distances to the nearest target pixel', () => {
    const slice = new Uint8Array(25);
    slice[0] = 1;
    const distances = distanceTransform(slice, 5, 5, 1);
    expect(distances[0]).toBe(0);
    expect(distances[4]).toBe(4);
    expect(distances[24]).toBeCloseTo(Math.sqrt(32));
  });

  it('makes the signed distance negative inside and positive outside', () => {
    const slice = new Uint8Array(9);
    slice[4] = 1;
    const signed = signedDistance(slice, 3, 3);
    expect(signed[4]).toBeLessThan(0);
    expect(signed[0]).toBeGreaterThan(0);
  });
});
