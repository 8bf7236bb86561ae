/**
 * Whole-mask reads and writes: loading a saved bitmask into the region labelmaps, and composing
 * the bitmask to save from them.
 */

import { composeBitmask, splitBitmask } from './bitmask';
import { drawnLayers, regionBits, type CaseMask } from './caseMask';
import { announceRegionChange, updateDerivedRegions } from './trackMaskEdits';

/**
 * Replace the content of every region with a saved bitmask (null for an empty mask) and redraw.
 * Unsaved edits on screen are overwritten; callers keep them first if they matter.
 */
export function loadMaskIntoRegions(mask: CaseMask, bitmask: Uint8Array | null): void {
  if (bitmask && bitmask.length !== mask.voxelCount) {
    throw new Error(`the saved mask has ${bitmask.length} voxels, the grid has ${mask.voxelCount}`);
  }
  const bits = regionBits(mask);
  if (bitmask) {
    splitBitmask(bitmask, bits);
  } else {
    bits.forEach(({ voxels }) => voxels.fill(0));
  }
  updateDerivedRegions(mask, null);
  for (const layer of drawnLayers(mask)) {
    announceRegionChange(layer.segmentationId, null);
  }
}

/** Redraw every region in every viewport from its voxels, without changing them. */
export function redrawAllRegions(mask: CaseMask): void {
  for (const layer of mask.layers) {
    announceRegionChange(layer.segmentationId, null);
  }
}

/** Return the bitmask of the regions on screen, in a new array (or in `out`). */
export function composeMask(mask: CaseMask, out = new Uint8Array(mask.voxelCount)): Uint8Array {
  return composeBitmask(regionBits(mask), out);
}
