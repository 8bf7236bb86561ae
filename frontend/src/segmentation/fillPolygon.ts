/**
 * Rasterisation of a closed contour drawn on a slice: the voxels whose centres lie inside the
 * polygon by the even-odd rule, in the slice's in-plane voxel coordinates (u, v).
 */

/** A point in in-plane voxel coordinates; voxel centres are at integers. */
export type PlanePoint = [number, number];

/**
 * In-plane voxels inside a closed polygon, clipped to a width x height slice. Returns the voxel
 * coordinates as a flat list [u0, v0, u1, v1, ...]. A polygon with fewer than three points
 * encloses nothing.
 */
export function voxelsInsidePolygon(points: PlanePoint[], width: number, height: number): number[] {
  if (points.length < 3) {
    return [];
  }
  const vs = points.map((point) => point[1]);
  const firstRow = Math.max(0, Math.ceil(Math.min(...vs)));
  const lastRow = Math.min(height - 1, Math.floor(Math.max(...vs)));
  const inside: number[] = [];
  for (let v = firstRow; v <= lastRow; v++) {
    const crossings = rowCrossings(points, v);
    for (let pair = 0; pair + 1 < crossings.length; pair += 2) {
      const from = Math.max(0, Math.ceil(crossings[pair]));
      const to = Math.min(width - 1, Math.floor(crossings[pair + 1]));
      for (let u = from; u <= to; u++) {
        inside.push(u, v);
      }
    }
  }
  return inside;
}

/** Return the u coordinates, in increasing order, where the polygon's edges cross row v. */
function rowCrossings(points: PlanePoint[], v: number): number[] {
  const crossings: number[] = [];
  for (let index = 0; index < points.length; index++) {
    const [u0, v0] = points[index];
    const [u1, v1] = points[(index + 1) % points.length];
    // Half-open rule: an edge counts for rows in [min, max), so a vertex is not counted twice.
    if ((v0 <= v && v < v1) || (v1 <= v && v < v0)) {
      crossings.push(u0 + ((v - v0) * (u1 - u0)) / (v1 - v0));
    }
  }
  return crossings.sort((a, b) => a - b);
}
