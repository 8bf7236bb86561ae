/**
 * Merge of one user's unsaved edits into a version that someone else saved meanwhile.
 *
 * The merge works per voxel and per region bit: every bit this user changed since their base
 * version takes this user's value, and every other bit keeps the newer version's value. So when
 * both users touched the same voxel, this user's change wins for the bits they changed, and a
 * region that only the other user edited there survives.
 */

/**
 * Merge `mine` (edited from `base`) into `theirs` (the newer saved version).
 * All three are bitmasks of the same grid; the result is a new array.
 */
export function mergeOwnChanges(base: Uint8Array, mine: Uint8Array, theirs: Uint8Array): Uint8Array {
  if (base.length !== mine.length || base.length !== theirs.length) {
    throw new Error(
      `cannot merge masks of different sizes: base ${base.length}, mine ${mine.length}, theirs ${theirs.length}`,
    );
  }
  const merged = new Uint8Array(theirs.length);
  for (let index = 0; index < merged.length; index++) {
    const changed = base[index] ^ mine[index];
    merged[index] = (theirs[index] & ~changed) | (mine[index] & changed);
  }
  return merged;
}
