/**
 * Shape-based interpolation of a region between annotated slices.
 *
 * Take each pair of consecutive annotated slices along an axis with empty slices between them.
 * Each of the two slices becomes a signed distance map (negative inside, in voxels, from an exact
 * 2-D Euclidean distance transform). The maps are blended linearly by position, and a voxel of an
 * empty slice is filled where the blend is at most zero. This is the classic method of
 * Raya and Udupa (1990); it follows shapes that move and change size between slices, but two
 * shapes that do not overlap at all fade out in the middle instead of being joined.
 *
 * Distances are in voxel units of the slice, so slices are assumed to have square voxels; the
 * blend weight uses slice positions, so the spacing along the axis does not matter.
 */

import type { Vec3 } from '../viewer/geometry';
import { readSlice, slicePlane } from './slicePlane';

const INFINITE = 1e20;

/**
 * Voxel indices to fill so that the empty slices between annotated ones follow the shapes
 * around them. Annotated slices are never changed. Returns flat voxel indices (NIfTI order).
 */
export function interpolateSlices(voxels: Uint8Array, dimensions: Vec3, axis: 0 | 1 | 2): number[] {
  const annotated = annotatedSlices(voxels, dimensions, axis);
  const fill: number[] = [];
  for (let pair = 0; pair + 1 < annotated.length; pair++) {
    const [from, to] = [annotated[pair], annotated[pair + 1]];
    if (to - from > 1) {
      fillGap(voxels, dimensions, axis, from, to, fill);
    }
  }
  return fill;
}

/** Indices of the slices along `axis` that contain at least one voxel of the region. */
export function annotatedSlices(voxels: Uint8Array, dimensions: Vec3, axis: 0 | 1 | 2): number[] {
  const found = new Uint8Array(dimensions[axis]);
  const [nx, ny] = dimensions;
  for (let index = 0; index < voxels.length; index++) {
    if (voxels[index] === 0) {
      continue;
    }
    const ijk = [index % nx, Math.floor(index / nx) % ny, Math.floor(index / (nx * ny))];
    found[ijk[axis]] = 1;
  }
  const slices: number[] = [];
  found.forEach((value, slice) => {
    if (value) {
      slices.push(slice);
    }
  });
  return slices;
}

function fillGap(
  voxels: Uint8Array,
  dimensions: Vec3,
  axis: 0 | 1 | 2,
  from: number,
  to: number,
  fill: number[],
): void {
  const planeFrom = slicePlane(dimensions, axis, from);
  const { width, height } = planeFrom;
  const distanceFrom = signedDistance(readSlice(voxels, planeFrom), width, height);
  const distanceTo = signedDistance(readSlice(voxels, slicePlane(dimensions, axis, to)), width, height);
  for (let slice = from + 1; slice < to; slice++) {
    const weight = (slice - from) / (to - from);
    const plane = slicePlane(dimensions, axis, slice);
    for (let v = 0; v < height; v++) {
      for (let u = 0; u < width; u++) {
        const at = u + v * width;
        if ((1 - weight) * distanceFrom[at] + weight * distanceTo[at] <= 0) {
          fill.push(plane.index(u, v));
        }
      }
    }
  }
}

/**
 * Compute the signed distance of a 0/1 slice in voxels. An inside voxel gets minus its distance
 * to the nearest outside voxel, and an outside voxel its distance to the nearest inside voxel.
 * The boundary lies halfway between them, so every value is at least 0.5 away from zero.
 */
export function signedDistance(slice: Uint8Array, width: number, height: number): Float32Array {
  const toInside = distanceTransform(slice, width, height, 1);
  const toOutside = distanceTransform(slice, width, height, 0);
  const signed = new Float32Array(slice.length);
  for (let at = 0; at < slice.length; at++) {
    signed[at] = slice[at] ? 0.5 - toOutside[at] : toInside[at] - 0.5;
  }
  return signed;
}

/**
 * Exact Euclidean distance from each pixel to the nearest pixel equal to `target`
 * (Felzenszwalb and Huttenlocher's separable algorithm, linear in the pixel count).
 */
export function distanceTransform(slice: Uint8Array, width: number, height: number, target: 0 | 1): Float64Array {
  const squared = new Float64Array(slice.length);
  for (let at = 0; at < slice.length; at++) {
    squared[at] = (slice[at] ? 1 : 0) === target ? 0 : INFINITE;
  }
  const column = new Float64Array(height);
  for (let u = 0; u < width; u++) {
    for (let v = 0; v < height; v++) {
      column[v] = squared[u + v * width];
    }
    const transformed = distance1d(column);
    for (let v = 0; v < height; v++) {
      squared[u + v * width] = transformed[v];
    }
  }
  for (let v = 0; v < height; v++) {
    const row = squared.subarray(v * width, (v + 1) * width);
    row.set(distance1d(row));
  }
  for (let at = 0; at < squared.length; at++) {
    squared[at] = Math.sqrt(squared[at]);
  }
  return squared;
}

/** Squared distance transform of a sampled function along one line (lower envelope of parabolas). */
function distance1d(values: Float64Array): Float64Array {
  const n = values.length;
  const result = new Float64Array(n);
  const hulls = new Int32Array(n);
  const bounds = new Float64Array(n + 1);
  let count = 0;
  hulls[0] = 0;
  bounds[0] = -Infinity;
  bounds[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = intersection(values, q, hulls[count]);
    while (s <= bounds[count]) {
      count--;
      s = intersection(values, q, hulls[count]);
    }
    count++;
    hulls[count] = q;
    bounds[count] = s;
    bounds[count + 1] = Infinity;
  }
  count = 0;
  for (let q = 0; q < n; q++) {
    while (bounds[count + 1] < q) {
      count++;
    }
    const offset = q - hulls[count];
    result[q] = offset * offset + values[hulls[count]];
  }
  return result;
}

function intersection(values: Float64Array, q: number, p: number): number {
  return (values[q] + q * q - (values[p] + p * p)) / (2 * q - 2 * p);
}
