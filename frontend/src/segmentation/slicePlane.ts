/**
 * Addressing of one slice of the reference grid in the flat NIfTI-order voxel array.
 *
 * A slice is perpendicular to one IJK axis. Its in-plane coordinates (u, v) are the two other
 * axes in increasing order: (i, j) for a k-slice, (i, k) for a j-slice, (j, k) for an i-slice.
 */

import type { Vec3 } from '../viewer/geometry';

/** Geometry of one slice of the grid and its mapping to flat voxel indices. */
export interface SlicePlane {
  /** Size along u and v. */
  width: number;
  height: number;
  /** Flat voxel index of in-plane point (u, v). */
  index(u: number, v: number): number;
}

/** Return the in-plane IJK axes (u, v) of slices perpendicular to `axis`. */
export function planeAxes(axis: 0 | 1 | 2): [number, number] {
  if (axis === 0) {
    return [1, 2];
  }
  return axis === 1 ? [0, 2] : [0, 1];
}

/** Return the plane of slice `slice` perpendicular to `axis` in a grid of `dimensions`. */
export function slicePlane(dimensions: Vec3, axis: 0 | 1 | 2, slice: number): SlicePlane {
  const strides = [1, dimensions[0], dimensions[0] * dimensions[1]];
  const [uAxis, vAxis] = planeAxes(axis);
  const base = slice * strides[axis];
  const uStride = strides[uAxis];
  const vStride = strides[vAxis];
  return {
    width: dimensions[uAxis],
    height: dimensions[vAxis],
    index: (u, v) => base + u * uStride + v * vStride,
  };
}

/** Copy one slice of a 0/1 voxel array into a row-major (u fastest) plane array. */
export function readSlice(voxels: Uint8Array, plane: SlicePlane): Uint8Array {
  const out = new Uint8Array(plane.width * plane.height);
  for (let v = 0; v < plane.height; v++) {
    for (let u = 0; u < plane.width; u++) {
      out[u + v * plane.width] = voxels[plane.index(u, v)] ? 1 : 0;
    }
  }
  return out;
}
