/**
 * Cornerstone volumes of the case's sequences on the reference grid. The voxels decoded by
 * fetchSequence go into a Cornerstone local volume in place, in NIfTI order, with the geometry of
 * the grid in the page configuration, so all four volumes and the mask share it exactly.
 */

import { utilities as coreUtilities, volumeLoader, type Types } from '@cornerstonejs/core';

import { gridGeometry, type Affine, type GridGeometry } from './geometry';
import type { DecodedNifti } from './niftiDecode';

/**
 * The frame of reference shared by every volume and labelmap of the case. Cornerstone only
 * compares it for equality, so it is a plain name rather than a DICOM UID.
 */
export const FRAME_OF_REFERENCE_UID = 'annotation-reference-grid';

/** A sequence volume ready to display. */
export interface SequenceVolume {
  volumeId: string;
  voxels: ArrayLike<number>;
}

/** Create the Cornerstone volume `volumeId` of a decoded sequence on the reference grid. */
export function createSequenceVolume(volumeId: string, decoded: DecodedNifti, grid: { shape: number[]; affine: Affine }): SequenceVolume {
  const geometry = gridGeometry(grid.shape, grid.affine);
  const volume = volumeLoader.createLocalVolume(volumeId, {
    scalarData: decoded.voxels,
    metadata: volumeMetadata(geometry, decoded.voxels),
    dimensions: geometry.dimensions,
    spacing: geometry.spacing,
    origin: geometry.origin,
    direction: geometry.direction as Types.Mat3,
  });
  describeSlices(volume.imageIds, geometry);
  return { volumeId, voxels: decoded.voxels };
}

/**
 * Give each k-slice image of a local volume its own position. Cornerstone 5.0.13's local
 * volumes give every slice the volume origin, and its lookups of the image under a world point
 * (used by the tools) then find none.
 */
export function describeSlices(imageIds: string[], geometry: GridGeometry): void {
  const { origin, spacing, direction, dimensions } = geometry;
  imageIds.forEach((imageId, k) => {
    const step = k * spacing[2];
    coreUtilities.genericMetadataProvider.add(imageId, {
      type: 'imagePlaneModule',
      metadata: {
        frameOfReferenceUID: FRAME_OF_REFERENCE_UID,
        rows: dimensions[1],
        columns: dimensions[0],
        imageOrientationPatient: direction.slice(0, 6),
        rowCosines: direction.slice(0, 3),
        columnCosines: direction.slice(3, 6),
        imagePositionPatient: [0, 1, 2].map((c) => origin[c] + direction[6 + c] * step),
        pixelSpacing: [spacing[1], spacing[0]],
        rowPixelSpacing: spacing[1],
        columnPixelSpacing: spacing[0],
        sliceThickness: spacing[2],
      },
    });
  });
}

/** Cornerstone metadata for a volume or labelmap of the reference grid. */
export function volumeMetadata(geometry: GridGeometry, voxels: ArrayLike<number> & { BYTES_PER_ELEMENT?: number }): Types.Metadata {
  const bits = 8 * (voxels.BYTES_PER_ELEMENT ?? 1);
  return {
    BitsAllocated: bits,
    BitsStored: bits,
    SamplesPerPixel: 1,
    HighBit: bits - 1,
    PhotometricInterpretation: 'MONOCHROME2',
    PixelRepresentation: voxels instanceof Uint8Array || voxels instanceof Uint16Array ? 0 : 1,
    Modality: 'MR',
    ImageOrientationPatient: geometry.direction.slice(0, 6),
    PixelSpacing: [geometry.spacing[1], geometry.spacing[0]],
    FrameOfReferenceUID: FRAME_OF_REFERENCE_UID,
    Columns: geometry.dimensions[0],
    Rows: geometry.dimensions[1],
    voiLut: [],
    VOILUTFunction: 'LINEAR',
  };
}
