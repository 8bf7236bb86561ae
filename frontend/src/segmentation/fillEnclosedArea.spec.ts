import { describe, expect, it } from 'vitest';
import { enclosedArea } from './fillEnclosedArea';

/** A 7x7 slice with a closed square ring from (1, 1) to (5, 5). */
function ring(): Uint8Array {
  const slice = new Uint8Array(49);
  for (let n = 1; n <= 5; n++) {
    slice[n + 7 * 1] = 1;
    slice[n + 7 * 5] = 1;
    slice[1 + 7 * n] = 1;
    slice[5 + 7 * n] = 1;
  }
  return slice;
}

describe('enclosedArea', () => {
  it('fills the inside of a closed ring', () => {
    const area = enclosedArea(ring(), 7, 7, 3, 3);
    expect(area?.length).toBe(9);
    expect(area).toContain(2 + 7 * 2);
  });

  it('refuses an area open to the slice edge', () => {
    const open = ring();
    open[3 + 7 * 1] = 0;
    expect(enclosedArea(open, 7, 7, 3, 3)).toBeNull();
  });

  it('refuses a click outside the ring', () => {
    expect(enclosedArea(ring(), 7, 7, 0, 6)).toBeNull();
  });

  it('refuses a click on a painted voxel', () => {
    expect(enclosedArea(ring(), 7, 7, 1, 1)).toBeNull();
  });

  it('does not leak through a ring closed only diagonally', () => {
    const slice = ring();
    slice[5 + 7 * 5] = 0;
    expect(enclosedArea(slice, 7, 7, 3, 3)?.length).toBe(9);
  });
});
