/**
 * Which regions may be painted in which viewport. The protocol prescribes one sequence per drawn
 * region (WT on FLAIR, TC on T2, ET on T1c). Painting it in another sequence's viewport is
 * refused unless the annotator recorded a reason, which is saved with the mask.
 */

/** A recorded reason to paint a region on a sequence other than the prescribed one. */
export interface PaintOverride {
  region: string;
  sequence: string;
  reason: string;
}

/** True when `region` (drawn on `drawnOn`) may be painted in the viewport of `sequence`. */
export function canPaint(region: string, drawnOn: string, sequence: string, overrides: PaintOverride[]): boolean {
  if (drawnOn === sequence) {
    return true;
  }
  return overrides.some((override) => override.region === region && override.sequence === sequence && override.reason.trim() !== '');
}

/** Add or replace the override for a region and sequence; returns the new list. */
export function withOverride(overrides: PaintOverride[], added: PaintOverride): PaintOverride[] {
  return [...overrides.filter((item) => item.region !== added.region || item.sequence !== added.sequence), added];
}
