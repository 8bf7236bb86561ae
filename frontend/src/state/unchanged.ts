/**
 * Whether a save would store what the base version already contains. An undo or redo back to the
 * saved content marks the mask edited, but a new version of the same voxels and reasons would
 * only lengthen the history. On an approved case it would also send the case back for review.
 */

import type { PaintOverride } from '../tools/paintPermission';

/** Return true when `mask` and `overrides` equal the base version's voxels and overrides. */
export function sameAsBase(mask: Uint8Array, overrides: PaintOverride[], baseMask: Uint8Array, baseOverrides: PaintOverride[]): boolean {
  if (mask.length !== baseMask.length || JSON.stringify(overrides) !== JSON.stringify(baseOverrides)) {
    return false;
  }
  // Compare eight bytes at a time where the buffers allow it: a grid has millions of voxels.
  if (mask.byteOffset % 8 === 0 && baseMask.byteOffset % 8 === 0) {
    const words = Math.floor(mask.length / 8);
    const left = new BigUint64Array(mask.buffer, mask.byteOffset, words);
    const right = new BigUint64Array(baseMask.buffer, baseMask.byteOffset, words);
    for (let index = 0; index < words; index += 1) {
      if (left[index] !== right[index]) {
        return false;
      }
    }
    for (let index = words * 8; index < mask.length; index += 1) {
      if (mask[index] !== baseMask[index]) {
        return false;
      }
    }
    return true;
  }
  for (let index = 0; index < mask.length; index += 1) {
    if (mask[index] !== baseMask[index]) {
      return false;
    }
  }
  return true;
}
