import { describe, expect, it } from 'vitest';
import { mergeOwnChanges } from './mergeChanges';

describe('mergeOwnChanges', () => {
  it('keeps both users strokes when they touched different voxels', () => {
    const base = Uint8Array.from([0, 0, 0, 0]);
    const mine = Uint8Array.from([1, 0, 0, 0]);
    const theirs = Uint8Array.from([0, 0, 2, 0]);
    expect(Array.from(mergeOwnChanges(base, mine, theirs))).toEqual([1, 0, 2, 0]);
  });

  it('lets my change win on a bit both users changed', () => {
    const base = Uint8Array.from([1]);
    const mine = Uint8Array.from([0]);
    const theirs = Uint8Array.from([1 | 4]);
    // I erased WT (bit 1); they added ET (bit 4) on the same voxel: both edits survive.
    expect(Array.from(mergeOwnChanges(base, mine, theirs))).toEqual([4]);
  });

  it('takes my value where both users set the same bit differently', () => {
    const base = Uint8Array.from([2]);
    const mine = Uint8Array.from([0]);
    const theirs = Uint8Array.from([2]);
    expect(Array.from(mergeOwnChanges(base, mine, theirs))).toEqual([0]);
  });

  it('returns their version unchanged when I changed nothing', () => {
    const base = Uint8Array.from([1, 3, 0]);
    const theirs = Uint8Array.from([0, 7, 1]);
    expect(Array.from(mergeOwnChanges(base, base.slice(), theirs))).toEqual([0, 7, 1]);
  });

  it('rejects masks of different sizes', () => {
    expect(() => mergeOwnChanges(new Uint8Array(2), new Uint8Array(2), new Uint8Array(3))).toThrow(/theirs 3/);
  });
});
