/**
 * The case's mask as the viewer keeps it: one 0/1 voxel array per region, each backing a
 * Cornerstone labelmap volume (the labelmap's slice images are views into that array, so a brush
 * stroke writes straight into it). Drawn regions are painted; derived regions (NET = TC minus ET)
 * are recomputed from them after every edit. Voxel order is NIfTI order throughout.
 */

import type { DerivedExpression } from './bitmask';
import type { GridGeometry } from '../viewer/geometry';

/** One region's voxels and the Cornerstone objects that show them. */
export interface RegionLayer {
  key: string;
  name: string;
  color: string;
  /** Mask bit of a drawn region; 0 for a derived one. */
  bit: number;
  /** Sequence the protocol prescribes for painting; empty for a derived region. */
  drawnOn: string;
  derived: DerivedExpression | null;
  segmentationId: string;
  volumeId: string;
  voxels: Uint8Array;
}

/** The mask of the open case. */
export interface CaseMask {
  geometry: GridGeometry;
  voxelCount: number;
  /** Voxels per k-slice (nx * ny): the unit of change tracking. */
  sliceSize: number;
  layers: RegionLayer[];
}

/** Return the painted regions, in protocol order. */
export function drawnLayers(mask: CaseMask): RegionLayer[] {
  return mask.layers.filter((layer) => layer.derived === null);
}

/** Return the derived regions, in protocol order. */
export function derivedLayers(mask: CaseMask): RegionLayer[] {
  return mask.layers.filter((layer) => layer.derived !== null);
}

/** Return the layer of a region key; throws for a key the protocol does not have. */
export function layerOf(mask: CaseMask, key: string): RegionLayer {
  const layer = mask.layers.find((candidate) => candidate.key === key);
  if (!layer) {
    throw new Error(`the protocol has no region ${key}`);
  }
  return layer;
}

/** Return the layer behind a Cornerstone segmentation id, if it is one of the case's. */
export function layerOfSegmentation(mask: CaseMask, segmentationId: string): RegionLayer | undefined {
  return mask.layers.find((layer) => layer.segmentationId === segmentationId);
}

/** Return the bit and voxels of every drawn region, for bitmask conversions. */
export function regionBits(mask: CaseMask): Array<{ bit: number; voxels: Uint8Array }> {
  return drawnLayers(mask).map((layer) => ({ bit: layer.bit, voxels: layer.voxels }));
}

/** Return the 0/1 arrays of all regions by key, for derived-region expressions. */
export function arraysByKey(mask: CaseMask): Record<string, Uint8Array> {
  return Object.fromEntries(mask.layers.map((layer) => [layer.key, layer.voxels]));
}
