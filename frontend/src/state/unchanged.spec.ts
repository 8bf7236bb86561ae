import { describe, expect, it } from 'vitest';
import { sameAsBase } from './unchanged';

const REASON = [{ region: 'TC', sequence: 'FLAIR', reason: 'T2 has motion' }];

describe('sameAsBase', () => {
  it('is true for the same voxels and overrides', () => {
    const base = new Uint8Array(1001).fill(3);
    expect(sameAsBase(base.slice(), [], base, [])).toBe(true);
  });

  it('finds one changed voxel in the words and in the tail', () => {
    const base = new Uint8Array(1001);
    for (const position of [0, 517, 1000]) {
      const mask = base.slice();
      mask[position] = 1;
      expect(sameAsBase(mask, [], base, [])).toBe(false);
    }
  });

  it('compares unaligned views byte by byte', () => {
    const buffer = new Uint8Array(40);
    const mask = buffer.subarray(1, 33);
    const base = new Uint8Array(32);
    expect(sameAsBase(mask, [], base, [])).toBe(true);
    mask[31] = 4;
    expect(sameAsBase(mask, [], base, [])).toBe(false);
  });

  it('is false when the override reasons differ', () => {
    const base = new Uint8Array(16);
    expect(sameAsBase(base.slice(), REASON, base, [])).toBe(false);
  });
});
