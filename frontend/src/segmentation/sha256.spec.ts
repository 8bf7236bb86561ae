import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256HexPortable } from './sha256';

function reference(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('sha256HexPortable', () => {
  it('matches the FIPS 180-2 vectors', () => {
    expect(sha256HexPortable(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256HexPortable(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('matches Node for lengths around the padding boundaries', () => {
    for (const length of [55, 56, 63, 64, 65, 119, 120, 1000]) {
      const bytes = Uint8Array.from({ length }, (_, index) => (index * 31) % 256);
      expect(sha256HexPortable(bytes)).toBe(reference(bytes));
    }
  });

  it('matches Node for a sparse mask of a million voxels', () => {
    const mask = new Uint8Array(1_000_003);
    mask.fill(5, 1000, 90_000);
    expect(sha256HexPortable(mask)).toBe(reference(mask));
  });
});
