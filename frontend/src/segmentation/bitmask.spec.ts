import { describe, expect, it } from 'vitest';
import { composeBitmask, countVoxels, evaluateDerived, splitBitmask } from './bitmask';

const WT = 1;
const TC = 2;
const ET = 4;

function regions(length: number) {
  return [
    { bit: WT, voxels: new Uint8Array(length) },
    { bit: TC, voxels: new Uint8Array(length) },
    { bit: ET, voxels: new Uint8Array(length) },
  ];
}

describe('splitBitmask and composeBitmask', () => {
  it('round-trip every combination of region bits', () => {
    const mask = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const arrays = regions(mask.length);
    splitBitmask(mask, arrays);
    expect(Array.from(arrays[0].voxels)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
    expect(Array.from(arrays[2].voxels)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(composeBitmask(arrays, new Uint8Array(mask.length)))).toEqual(Array.from(mask));
  });

  it('keeps an enhancing voxel outside the tumour core visible', () => {
    const arrays = regions(3);
    arrays[2].voxels[1] = 1;
    const mask = composeBitmask(arrays, new Uint8Array(3));
    expect(mask[1]).toBe(ET);
    expect(mask[1] & TC).toBe(0);
  });

  it('converts only the requested voxel range', () => {
    const mask = Uint8Array.from([7, 7, 7, 7]);
    const arrays = regions(4);
    splitBitmask(mask, arrays, 1, 3);
    expect(Array.from(arrays[1].voxels)).toEqual([0, 1, 1, 0]);
    const out = Uint8Array.from([9, 9, 9, 9]);
    composeBitmask(arrays, out, 1, 3);
    expect(Array.from(out)).toEqual([9, 7, 7, 9]);
  });

  it('rejects a region array of another length', () => {
    expect(() => splitBitmask(new Uint8Array(4), [{ bit: 1, voxels: new Uint8Array(3) }])).toThrow(/3 voxels/);
  });
});

describe('evaluateDerived', () => {
  it('computes non-enhancing tumour as tumour core minus enhancing tumour', () => {
    const arrays = { TC: Uint8Array.from([1, 1, 0, 0]), ET: Uint8Array.from([1, 0, 1, 0]) };
    const out = new Uint8Array(4);
    evaluateDerived({ op: 'difference', of: ['TC', 'ET'] }, arrays, out);
    expect(Array.from(out)).toEqual([0, 1, 0, 0]);
  });

  it('computes unions and intersections of several regions', () => {
    const arrays = { A: Uint8Array.from([1, 0, 0]), B: Uint8Array.from([1, 1, 0]) };
    const union = new Uint8Array(3);
    const intersection = new Uint8Array(3);
    evaluateDerived({ op: 'union', of: ['A', 'B'] }, arrays, union);
    evaluateDerived({ op: 'intersection', of: ['A', 'B'] }, arrays, intersection);
    expect(Array.from(union)).toEqual([1, 1, 0]);
    expect(Array.from(intersection)).toEqual([1, 0, 0]);
  });

  it('rejects an expression that names an unknown region', () => {
    expect(() => evaluateDerived({ op: 'region', of: ['XX'] }, {}, new Uint8Array(1))).toThrow(/XX/);
  });
});

describe('countVoxels', () => {
  it('counts non-zero voxels', () => {
    expect(countVoxels(Uint8Array.from([0, 1, 1, 0, 1]))).toBe(3);
  });
});
