/**
 * Flood fill of an enclosed area on one slice: from the clicked voxel, the 4-connected empty
 * voxels of the region on that slice. An area that reaches the edge of the slice is not
 * enclosed, and then nothing is filled, so a click just outside a drawn ring cannot flood the
 * whole slice.
 */

/**
 * Return the in-plane indices (u + v * width) of the enclosed empty area containing (u, v) on a
 * row-major 0/1 slice, or null when (u, v) is painted already or the area touches the slice edge.
 */
export function enclosedArea(slice: Uint8Array, width: number, height: number, u: number, v: number): number[] | null {
  if (u < 0 || v < 0 || u >= width || v >= height || slice[u + v * width] !== 0) {
    return null;
  }
  const seen = new Uint8Array(slice.length);
  const area: number[] = [];
  const stack = [u + v * width];
  seen[stack[0]] = 1;
  while (stack.length) {
    const at = stack.pop()!;
    const x = at % width;
    const y = (at - x) / width;
    if (x === 0 || y === 0 || x === width - 1 || y === height - 1) {
      return null;
    }
    area.push(at);
    for (const next of [at - 1, at + 1, at - width, at + width]) {
      if (!seen[next] && slice[next] === 0) {
        seen[next] = 1;
        stack.push(next);
      }
    }
  }
  return area;
}
