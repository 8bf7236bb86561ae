/**
 * The crop encoding of a mask on the wire: only the voxels inside the box that bounds the mask's
 * non-zero voxels, in NIfTI order (i fastest, then j, then k), with zeros implied outside. A
 * tumour fills a small part of the grid, so the crop is a small fraction of a 512x512x200 mask
 * and compresses in a fraction of the time.
 */

import type { Vec3 } from '../viewer/geometry';

/** A half-open voxel box [i0, j0, k0, i1, j1, k1) of the reference grid (the server's x0,y0,z0,x1,y1,z1). */
export type CropBox = [number, number, number, number, number, number];

/** The box of an empty mask, as the server names it. */
export const EMPTY_BOX: CropBox = [0, 0, 0, 0, 0, 0];

/** Return the number of voxels inside a box. */
export function boxVoxelCount(box: CropBox): number {
  return Math.max(0, box[3] - box[0]) * Math.max(0, box[4] - box[1]) * Math.max(0, box[5] - box[2]);
}

/** Format a box as the server reads it: "x0,y0,z0,x1,y1,z1". */
export function formatBox(box: CropBox): string {
  return box.join(',');
}

/**
 * Parse the X-Mask-Crop header. Returns null for a missing or blank header (a server that sends
 * the whole grid); throws when the header is malformed or the box does not lie inside the grid.
 */
export function parseBox(text: string | null, dimensions: Vec3): CropBox | null {
  if (text === null || text.trim() === '') {
    return null;
  }
  const numbers = text.split(',').map((part) => Number(part.trim()));
  const inside = numbers.length === 6 && numbers.every(Number.isInteger) && [0, 1, 2].every((axis) => 0 <= numbers[axis] && numbers[axis] <= numbers[axis + 3] && numbers[axis + 3] <= dimensions[axis]);
  if (!inside) {
    throw new Error(`the crop box "${text}" does not lie inside the grid ${dimensions.join('x')}`);
  }
  return numbers as CropBox;
}

/**
 * Return the tight box around the non-zero voxels of a mask in NIfTI order, or EMPTY_BOX when
 * every voxel is zero. The scan reads four voxels at a time where the array is 4-byte aligned.
 */
export function boundingBox(mask: Uint8Array, dimensions: Vec3): CropBox {
  const [nx, ny] = dimensions;
  const box: CropBox = [Infinity, Infinity, Infinity, -1, -1, -1];
  const include = (index: number): void => {
    const i = index % nx;
    const rest = (index - i) / nx;
    const j = rest % ny;
    const k = (rest - j) / ny;
    if (i < box[0]) box[0] = i;
    if (j < box[1]) box[1] = j;
    if (k < box[2]) box[2] = k;
    if (i >= box[3]) box[3] = i + 1;
    if (j >= box[4]) box[4] = j + 1;
    if (k >= box[5]) box[5] = k + 1;
  };
  let start = 0;
  if (mask.byteOffset % 4 === 0) {
    const words = new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2);
    for (let word = 0; word < words.length; word++) {
      if (words[word] !== 0) {
        for (let index = word * 4; index < word * 4 + 4; index++) {
          if (mask[index] !== 0) {
            include(index);
          }
        }
      }
    }
    start = words.length * 4;
  }
  for (let index = start; index < mask.length; index++) {
    if (mask[index] !== 0) {
      include(index);
    }
  }
  return box[3] < 0 ? [...EMPTY_BOX] : box;
}

/** Copy the voxels inside `box` out of a whole-grid mask, in NIfTI order. */
export function extractBox(mask: Uint8Array, dimensions: Vec3, box: CropBox): Uint8Array {
  const out = new Uint8Array(boxVoxelCount(box));
  forEachBoxRow(dimensions, box, (gridStart, cropStart, length) => {
    out.set(mask.subarray(gridStart, gridStart + length), cropStart);
  });
  return out;
}

/** Build a whole-grid mask with `crop` inside `box` and zeros elsewhere; throws on a size mismatch. */
export function expandBox(dimensions: Vec3, box: CropBox, crop: Uint8Array): Uint8Array {
  const expected = boxVoxelCount(box);
  if (crop.length !== expected) {
    throw new Error(`the crop of box ${formatBox(box)} has ${crop.length} voxels, not ${expected}`);
  }
  const mask = new Uint8Array(dimensions[0] * dimensions[1] * dimensions[2]);
  forEachBoxRow(dimensions, box, (gridStart, cropStart, length) => {
    mask.set(crop.subarray(cropStart, cropStart + length), gridStart);
  });
  return mask;
}

/** Call `visit` for every i-row of the box with its offset in the grid and in the crop. */
function forEachBoxRow(dimensions: Vec3, box: CropBox, visit: (gridStart: number, cropStart: number, length: number) => void): void {
  const [nx, ny] = dimensions;
  const length = box[3] - box[0];
  if (boxVoxelCount(box) === 0) {
    return;
  }
  let cropStart = 0;
  for (let k = box[2]; k < box[5]; k++) {
    for (let j = box[1]; j < box[4]; j++) {
      visit(box[0] + nx * (j + ny * k), cropStart, length);
      cropStart += length;
    }
  }
}
