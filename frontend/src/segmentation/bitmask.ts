/**
 * Conversions between the saved mask and the per-region arrays the viewer paints.
 *
 * The saved mask is one uint8 per voxel of the reference grid in NIfTI order, with one bit per
 * drawn region (the protocol's `bit`), so a voxel can belong to several regions and a nesting
 * violation stays visible. The viewer keeps one 0/1 array per region in the same voxel order,
 * because Cornerstone's brushes paint one labelmap at a time. All functions take an optional
 * voxel range [start, end) so that callers can convert only the slices an edit touched.
 */

/** A drawn region's bit and its 0/1 voxel array. */
export interface RegionBits {
  bit: number;
  voxels: Uint8Array;
}

/** A protocol expression of a derived region, for example NET = TC minus ET. */
export interface DerivedExpression {
  op: 'region' | 'difference' | 'union' | 'intersection';
  of: string[];
}

/** Write each region's 0/1 array from the bits of `mask` in [start, end). */
export function splitBitmask(
  mask: Uint8Array,
  regions: RegionBits[],
  start = 0,
  end = mask.length,
): void {
  for (const { bit, voxels } of regions) {
    checkLength(voxels, mask.length);
    for (let index = start; index < end; index++) {
      voxels[index] = (mask[index] & bit) === 0 ? 0 : 1;
    }
  }
}

/** Build the saved bitmask from the region arrays in [start, end) into `out`. */
export function composeBitmask(
  regions: RegionBits[],
  out: Uint8Array,
  start = 0,
  end = out.length,
): Uint8Array {
  out.fill(0, start, end);
  for (const { bit, voxels } of regions) {
    checkLength(voxels, out.length);
    for (let index = start; index < end; index++) {
      if (voxels[index] !== 0) {
        out[index] |= bit;
      }
    }
  }
  return out;
}

/** Evaluate a derived region's expression over 0/1 arrays into `out` (0/1) in [start, end). */
export function evaluateDerived(
  expression: DerivedExpression,
  arrays: Record<string, Uint8Array>,
  out: Uint8Array,
  start = 0,
  end = out.length,
): void {
  const operands = expression.of.map((key) => {
    const array = arrays[key];
    if (!array) {
      throw new Error(`derived region refers to unknown region ${key}`);
    }
    return array;
  });
  const [first, second] = operands;
  for (let index = start; index < end; index++) {
    out[index] = evaluateAt(expression.op, operands, first, second, index);
  }
}

function evaluateAt(
  op: DerivedExpression['op'],
  operands: Uint8Array[],
  first: Uint8Array,
  second: Uint8Array | undefined,
  index: number,
): number {
  switch (op) {
    case 'region':
      return first[index] ? 1 : 0;
    case 'difference':
      return first[index] && !second?.[index] ? 1 : 0;
    case 'union':
      return operands.some((array) => array[index] !== 0) ? 1 : 0;
    case 'intersection':
      return operands.every((array) => array[index] !== 0) ? 1 : 0;
  }
}

/** Count the non-zero voxels of an array. */
export function countVoxels(voxels: Uint8Array): number {
  let count = 0;
  for (let index = 0; index < voxels.length; index++) {
    if (voxels[index] !== 0) {
      count++;
    }
  }
  return count;
}

function checkLength(voxels: Uint8Array, expected: number): void {
  if (voxels.length !== expected) {
    throw new Error(`region array has ${voxels.length} voxels, the mask has ${expected}`);
  }
}

/** Return the bitmask of voxels [start, end) of the region arrays, in a new array of end - start bytes. */
export function composeBitmaskRange(regions: RegionBits[], start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  for (const { bit, voxels } of regions) {
    for (let index = start; index < end; index++) {
      if (voxels[index] !== 0) {
        out[index - start] |= bit;
      }
    }
  }
  return out;
}
