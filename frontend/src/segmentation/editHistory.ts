/**
 * Undo and redo of mask edits, on Cornerstone's history memo ring. Cornerstone's brushes record
 * their strokes there. The viewer's own edits (contour fill, interpolation) record theirs with
 * `recordVoxelEdit`, so one undo stack covers every edit, whichever tool made it.
 */

import { utilities as coreUtilities } from '@cornerstonejs/core';

import { layerOf, type CaseMask } from './caseMask';
import { announceRegionChange } from './trackMaskEdits';

const history = coreUtilities.HistoryMemo.DefaultHistoryMemo;

// Steps of undo kept; each brush stroke is one step.
const HISTORY_SIZE = 100;
history.size = HISTORY_SIZE;

/** Undo the last edit, if any; returns whether there was one. */
export function undoEdit(): boolean {
  if (!history.canUndo) {
    return false;
  }
  history.undo();
  return true;
}

/** Redo the last undone edit, if any; returns whether there was one. */
export function redoEdit(): boolean {
  if (!history.canRedo) {
    return false;
  }
  history.redo();
  return true;
}

/**
 * Forget every recorded edit. Called when the mask on screen is replaced (a reload, a merge, a
 * restore), because undoing an old stroke on top of other content would corrupt it.
 */
export function clearEditHistory(): void {
  history.size = HISTORY_SIZE;
}

/**
 * Set voxels of a drawn region to `value` (0 or 1) as one undoable edit and redraw them.
 * `indices` are flat NIfTI-order voxel indices. Returns how many voxels changed.
 */
export function recordVoxelEdit(mask: CaseMask, key: string, indices: ArrayLike<number>, value: 0 | 1): number {
  const layer = layerOf(mask, key);
  const changed: number[] = [];
  for (let n = 0; n < indices.length; n++) {
    const index = indices[n];
    if (layer.voxels[index] !== value) {
      layer.voxels[index] = value;
      changed.push(index);
    }
  }
  if (changed.length === 0) {
    return 0;
  }
  const slices = Array.from(new Set(changed.map((index) => Math.floor(index / mask.sliceSize))));
  history.push({
    id: `voxel-edit-${Date.now()}-${changed.length}`,
    operationType: 'labelmap',
    restoreMemo: (isUndo?: boolean) => {
      const restored = isUndo === false ? value : ((1 - value) as 0 | 1);
      for (const index of changed) {
        layer.voxels[index] = restored;
      }
      announceRegionChange(layer.segmentationId, slices);
    },
  });
  announceRegionChange(layer.segmentationId, slices);
  return changed.length;
}
