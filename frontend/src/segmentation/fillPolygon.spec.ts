import { describe, expect, it } from 'vitest';
import { voxelsInsidePolygon } from './fillPolygon';

function asPairs(flat: number[]): string[] {
  const pairs: string[] = [];
  for (let index = 0; index < flat.length; index += 2) {
    pairs.push(`${flat[index]},${flat[index + 1]}`);
  }
  return pairs;
}

describe('voxelsInsidePolygon', () => {
  it('fills the voxel centres inside a square', () => {
    const inside = voxelsInsidePolygon([[1.5, 1.5], [4.5, 1.5], [4.5, 4.5], [1.5, 4.5]], 10, 10);
    expect(inside.length / 2).toBe(9);
    expect(asPairs(inside)).toContain('3,3');
    expect(asPairs(inside)).not.toContain('1,1');
  });

  it('fills a triangle by the even-odd rule', () => {
    const inside = voxelsInsidePolygon([[0, 0], [8, 0], [0, 8]], 20, 20);
    const pairs = asPairs(inside);
    expect(pairs).toContain('1,1');
    expect(pairs).not.toContain('6,6');
  });

  it('clips a polygon that leaves the slice', () => {
    const inside = voxelsInsidePolygon([[-5, -5], [2.5, -5], [2.5, 2.5], [-5, 2.5]], 4, 4);
    expect(inside.length / 2).toBe(9);
  });

  it('fills a square of six by six voxel centres', () => {
    const inside = voxelsInsidePolygon([[0.5, 0.5], [6.5, 0.5], [6.5, 6.5], [0.5, 6.5]], 10, 10);
    expect(inside.length / 2).toBe(36);
  });

  it('encloses nothing with fewer than three points', () => {
    expect(voxelsInsidePolygon([[0, 0], [5, 5]], 10, 10)).toEqual([]);
  });
});
