/**
 * Where review comments sit on the reference grid, as pure functions: the voxel a click pins a
 * comment to, the slices that show a comment, and the payload the decision API takes.
 *
 * A comment is pinned to one voxel (i, j, k). The server names the slice axis by the view it was
 * made on and maps sagittal, coronal and axial to i, j and k. The viewer sends the name of the
 * grid axis across the slice, so the server's slice index is the slice the reviewer saw.
 */

import type { Vec3 } from '../viewer/geometry';
import type { CommentAxis, DraftComment } from './workflowConfig';

/** Names of the grid axes i, j, k as the server maps them. */
const AXIS_NAMES: readonly CommentAxis[] = ['sagittal', 'coronal', 'axial'];

/** The slice a viewport shows: the grid axis across it and the 0-based slice index. */
export interface SliceLocation {
  axis: 0 | 1 | 2;
  index: number;
}

/** A comment as the decision API takes it. */
export interface CommentPayload {
  region: string;
  axis: CommentAxis;
  point_ijk: Vec3;
  text: string;
}

/** Return the server's name of the grid axis across a slice. */
export function commentAxisOf(axis: 0 | 1 | 2): CommentAxis {
  return AXIS_NAMES[axis];
}

/** Return the grid axis (0 i, 1 j, 2 k) of a comment's axis name. */
export function axisIndexOf(name: CommentAxis): 0 | 1 | 2 {
  const index = AXIS_NAMES.indexOf(name);
  if (index < 0) {
    throw new Error(`unknown comment axis ${name}`);
  }
  return index as 0 | 1 | 2;
}

/**
 * Return the voxel that contains a fractional IJK point (from a click), or null when the point
 * lies outside the grid, where a comment would have no image under it.
 */
export function commentVoxelAt(ijk: Vec3, dimensions: Vec3): Vec3 | null {
  // Rounding -0.4 gives -0, which is the voxel 0 but compares and prints as -0.
  const voxel = ijk.map((value) => Math.round(value) || 0) as Vec3;
  const inside = voxel.every((value, axis) => value >= 0 && value < dimensions[axis]);
  return inside ? voxel : null;
}

/** True when the slice shown contains the comment's voxel, whatever view it was made on. */
export function isOnSlice(point: Vec3, slice: SliceLocation): boolean {
  return point[slice.axis] === slice.index;
}

/** Return the comments whose voxel lies on the slice shown, with their 1-based marker numbers. */
export function commentsOnSlice<T extends { point_ijk: Vec3 }>(comments: T[], slice: SliceLocation): Array<{ comment: T; number: number }> {
  return comments.map((comment, index) => ({ comment, number: index + 1 })).filter(({ comment }) => isOnSlice(comment.point_ijk, slice));
}

/** Return the comments the decision API takes, from the drafts of this review. */
export function commentPayloads(drafts: DraftComment[]): CommentPayload[] {
  return drafts.map(({ region, axis, point_ijk, text }) => ({ region, axis, point_ijk: [...point_ijk], text: text.trim() }));
}

/**
 * Return the innermost drawn region that contains a voxel, from the voxel's mask value (one bit
 * per drawn region). Regions nest in protocol order (ET in TC in WT), so the last one whose bit
 * is set is the innermost; null when the voxel is outside every region.
 */
export function innermostRegion(regions: Array<{ key: string; bit: number }>, value: number): string | null {
  let found: string | null = null;
  for (const region of regions) {
    if (value & region.bit) {
      found = region.key;
    }
  }
  return found;
}

