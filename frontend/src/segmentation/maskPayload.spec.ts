import { describe, expect, it } from 'vitest';
import { gunzipBytes, gzipBytes, isGzip, sha256Hex, xorDelta } from './maskPayload';

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vector for "abc"', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('hashes only the bytes of a subarray view', async () => {
    const bytes = new TextEncoder().encode('xxabcxx');
    expect(await sha256Hex(bytes.subarray(2, 5))).toBe(await sha256Hex(new TextEncoder().encode('abc')));
  });
});

describe('gzipBytes', () => {
  it('round-trips a sparse mask and compresses it', async () => {
    const mask = new Uint8Array(240 * 240 * 4);
    mask.fill(3, 1000, 5000);
    const compressed = await gzipBytes(mask);
    expect(isGzip(compressed)).toBe(true);
    expect(compressed.length).toBeLessThan(mask.length / 50);
    expect(await gunzipBytes(compressed)).toEqual(mask);
  });
});

describe('gzipBytes on a large mask', () => {
  it('round-trips a mask larger than one compression chunk', async () => {
    const mask = new Uint8Array(3_500_000);
    for (let index = 0; index < mask.length; index += 997) {
      mask[index] = index % 8;
    }
    const restored = await gunzipBytes(await gzipBytes(mask));
    // A direct comparison: deep equality of million-element arrays is slow in Vitest.
    expect(restored.length).toBe(mask.length);
    expect(restored.every((value, index) => value === mask[index])).toBe(true);
  });
});

describe('xorDelta', () => {
  it('is zero where the masks agree and the changed bits elsewhere', () => {
    expect(Array.from(xorDelta(Uint8Array.from([1, 3, 0]), Uint8Array.from([1, 1, 4])))).toEqual([0, 2, 4]);
  });
});
