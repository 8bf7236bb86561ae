import { describe, expect, it } from 'vitest';
import { applyChanges, encodeChanges } from './journalEncoding';

describe('encodeChanges and applyChanges', () => {
  it('round-trip scattered runs within a slice range', () => {
    const base = new Uint8Array(100_000);
    const current = base.slice();
    current.fill(1, 10, 20);
    current[300] = 5;
    current.fill(7, 40_000, 40_200);
    current[99_999] = 2;
    const encoded = encodeChanges(base, current, 0, current.length);
    const restored = base.slice();
    applyChanges(restored, encoded, 0);
    expect(restored).toEqual(current);
    expect(encoded.length).toBeLessThan(250);
  });

  it('encodes nothing when nothing changed', () => {
    const base = Uint8Array.from([1, 2, 3]);
    expect(encodeChanges(base, base.slice(), 0, 3).length).toBe(0);
  });

  it('records erased voxels as well as painted ones', () => {
    const base = Uint8Array.from([0, 1, 1, 0]);
    const current = Uint8Array.from([0, 0, 1, 0]);
    const target = base.slice();
    applyChanges(target, encodeChanges(base, current, 0, 4), 0);
    expect(Array.from(target)).toEqual([0, 0, 1, 0]);
  });

  it('uses offsets relative to the start of the range', () => {
    const base = new Uint8Array(20);
    const current = base.slice();
    current[12] = 1;
    const encoded = encodeChanges(base, current, 10, 20);
    const target = new Uint8Array(20);
    applyChanges(target, encoded, 10);
    expect(target[12]).toBe(1);
    expect(Array.from(encoded)).toEqual([2, 1, 1]);
  });

  it('rejects a truncated entry', () => {
    const base = new Uint8Array(10);
    const current = base.slice();
    current.fill(1, 2, 6);
    const encoded = encodeChanges(base, current, 0, 10);
    expect(() => applyChanges(new Uint8Array(10), encoded.subarray(0, encoded.length - 1), 0)).toThrow(/inside a run/);
  });

  it('rejects a run past the end of the mask', () => {
    const encoded = Uint8Array.from([8, 4, 1, 1, 1, 1]);
    expect(() => applyChanges(new Uint8Array(10), encoded, 0)).toThrow(/runs past/);
  });
});
