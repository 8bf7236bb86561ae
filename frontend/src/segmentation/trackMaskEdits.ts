/**
 * Tracking of edits to the case mask. Every change to a drawn region's labelmap (a brush stroke,
 * a fill, an undo) fires Cornerstone's SEGMENTATION_DATA_MODIFIED event with the k-slices it
 * touched. This listener recomputes the derived regions on those slices and reports the slices,
 * so the journal and the autosave find what changed without scanning the whole grid.
 */

import { eventTarget } from '@cornerstonejs/core';
import { Enums as ToolEnums, segmentation, type Types as ToolTypes } from '@cornerstonejs/tools';

import { evaluateDerived } from './bitmask';
import { arraysByKey, derivedLayers, layerOfSegmentation, type CaseMask } from './caseMask';

/** The callbacks of the tracker. */
export interface MaskEditHandlers {
  /** Receives the k-slices an edit touched. */
  onEdit(slices: number[]): void;
  /** The k-slices whose content differs from the saved base version. */
  changedSlices(): number[];
}

// Cornerstone also fires the event without slices whenever it (re)builds a labelmap's actor, a
// dozen times while the viewports start. Such events are gathered for this long, then the
// content is compared with the base, so only real changes count as edits.
const UNKNOWN_EDIT_DELAY_MS = 150;

/** Start tracking edits; returns a function that stops it. */
export function trackMaskEdits(mask: CaseMask, handlers: MaskEditHandlers): () => void {
  let unknownTimer = 0;
  const resolveUnknown = (): void => {
    const slices = handlers.changedSlices();
    if (slices.length) {
      updateDerivedRegions(mask, slices);
      handlers.onEdit(slices);
    }
  };
  const listener = (event: Event): void => {
    const { segmentationId, modifiedSlicesToUse } = (event as ToolTypes.EventTypes.SegmentationDataModifiedEventType).detail;
    const layer = layerOfSegmentation(mask, segmentationId);
    if (!layer || layer.derived !== null) {
      return;
    }
    if (!modifiedSlicesToUse?.length) {
      window.clearTimeout(unknownTimer);
      unknownTimer = window.setTimeout(resolveUnknown, UNKNOWN_EDIT_DELAY_MS);
      return;
    }
    const slices = Array.from(new Set(modifiedSlicesToUse));
    updateDerivedRegions(mask, slices);
    handlers.onEdit(slices);
  };
  eventTarget.addEventListener(ToolEnums.Events.SEGMENTATION_DATA_MODIFIED, listener);
  return () => {
    window.clearTimeout(unknownTimer);
    eventTarget.removeEventListener(ToolEnums.Events.SEGMENTATION_DATA_MODIFIED, listener);
  };
}

/** Recompute derived regions on the given k-slices (all slices for null) and redraw them. */
export function updateDerivedRegions(mask: CaseMask, slices: number[] | null): void {
  const arrays = arraysByKey(mask);
  for (const layer of derivedLayers(mask)) {
    const expression = layer.derived!;
    if (slices === null) {
      evaluateDerived(expression, arrays, layer.voxels);
    } else {
      for (const k of slices) {
        evaluateDerived(expression, arrays, layer.voxels, k * mask.sliceSize, (k + 1) * mask.sliceSize);
      }
    }
    segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(layer.segmentationId, slices ?? undefined);
  }
}

/** Tell Cornerstone that a drawn region changed on these k-slices (all for null), so it redraws. */
export function announceRegionChange(segmentationId: string, slices: number[] | null): void {
  segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(segmentationId, slices ?? undefined);
}
