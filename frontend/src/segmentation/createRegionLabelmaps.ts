/**
 * Creation of the case's region labelmaps in Cornerstone: one local labelmap volume and one
 * labelmap segmentation (segment 1) per protocol region, all on the reference grid.
 */

import { volumeLoader, type Types } from '@cornerstonejs/core';
import { Enums as ToolEnums, segmentation } from '@cornerstonejs/tools';

import type { CaseMask, RegionLayer } from './caseMask';
import { isDrawn, type Region } from '../viewer/config';
import type { GridGeometry } from '../viewer/geometry';
import { describeSlices, volumeMetadata } from '../viewer/loadSequenceVolume';

/** Create empty labelmaps for the protocol's regions; returns the case mask that owns them. */
export function createRegionLabelmaps(regions: Region[], geometry: GridGeometry): CaseMask {
  const [nx, ny, nz] = geometry.dimensions;
  const voxelCount = nx * ny * nz;
  const layers = regions.map((region) => createLayer(region, geometry, voxelCount));
  segmentation.addSegmentations(
    layers.map((layer) => ({
      segmentationId: layer.segmentationId,
      representation: {
        type: ToolEnums.SegmentationRepresentations.Labelmap,
        data: { volumeId: layer.volumeId },
      },
      config: { label: layer.name, segments: { 1: { label: layer.name, active: true, locked: false } } },
    })),
  );
  for (const layer of layers) {
    segmentation.segmentIndex.setActiveSegmentIndex(layer.segmentationId, 1);
  }
  return { geometry, voxelCount, sliceSize: nx * ny, layers };
}

function createLayer(region: Region, geometry: GridGeometry, voxelCount: number): RegionLayer {
  const voxels = new Uint8Array(voxelCount);
  const volumeId = `region-mask-${region.key}`;
  const volume = volumeLoader.createLocalLabelmapVolume(
    {
      scalarData: voxels,
      metadata: volumeMetadata(geometry, voxels),
      dimensions: geometry.dimensions,
      spacing: geometry.spacing,
      origin: geometry.origin,
      direction: geometry.direction as Types.Mat3,
    },
    volumeId,
  );
  describeSlices(volume.imageIds, geometry);
  return {
    key: region.key,
    name: region.name,
    color: region.color,
    bit: isDrawn(region) ? region.bit : 0,
    drawnOn: isDrawn(region) ? region.drawn_on : '',
    derived: isDrawn(region) ? null : region.derived,
    segmentationId: `region-${region.key}`,
    volumeId,
    voxels,
  };
}
