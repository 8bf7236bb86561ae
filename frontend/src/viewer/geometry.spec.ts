import { describe, expect, it } from 'vitest';
import { edgeLabels, gridGeometry, ijkToWorld, nearestVoxel, VIEW_CAMERAS, viewAxis, worldToIjk } from './geometry';

// The BraTS reference grid: 240x240x155, 1 mm, i towards patient left and j towards posterior
// (nibabel axis codes L, P, S).
const BRATS_AFFINE = [
  [-1, 0, 0, 0],
  [0, -1, 0, 239],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];

describe('gridGeometry', () => {
  it('converts a RAS+ affine into LPS origin, spacing and direction', () => {
    const geometry = gridGeometry([240, 240, 155], BRATS_AFFINE);
    expect(geometry.dimensions).toEqual([240, 240, 155]);
    expect(geometry.spacing).toEqual([1, 1, 1]);
    expect(geometry.origin).toEqual([0, -239, 0]);
    expect(geometry.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('keeps anisotropic spacing per axis', () => {
    const affine = [
      [0.9, 0, 0, -100],
      [0, 0.9, 0, -120],
      [0, 0, 5.5, -60],
      [0, 0, 0, 1],
    ];
    const geometry = gridGeometry([256, 224, 26], affine);
    expect(geometry.spacing[0]).toBeCloseTo(0.9);
    expect(geometry.spacing[2]).toBeCloseTo(5.5);
    expect(geometry.direction.slice(0, 3)).toEqual([-1, 0, 0]);
    expect(geometry.origin).toEqual([100, 120, -60]);
  });

  it('rejects an affine with a zero axis', () => {
    const affine = [
      [0, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ];
    expect(() => gridGeometry([2, 2, 2], affine)).toThrow(/axis 0/);
  });
});

describe('ijkToWorld and worldToIjk', () => {
  it('round-trip a voxel of an oblique grid', () => {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const affine = [
      [c * 0.8, -s * 0.8, 0, 10],
      [s * 0.8, c * 0.8, 0, -20],
      [0, 0, 2, 30],
      [0, 0, 0, 1],
    ];
    const geometry = gridGeometry([100, 100, 40], affine);
    const world = ijkToWorld(geometry, [12, 34, 5]);
    const back = worldToIjk(geometry, world);
    expect(back[0]).toBeCloseTo(12);
    expect(back[1]).toBeCloseTo(34);
    expect(back[2]).toBeCloseTo(5);
  });

  it('maps voxel (0, 0, 0) of the BraTS grid to its LPS origin', () => {
    const geometry = gridGeometry([240, 240, 155], BRATS_AFFINE);
    expect(ijkToWorld(geometry, [0, 0, 0])).toEqual([0, -239, 0]);
    expect(ijkToWorld(geometry, [10, 0, 0])[0]).toBe(10);
  });

  it('clamps points outside the grid to its edge voxels', () => {
    const geometry = gridGeometry([240, 240, 155], BRATS_AFFINE);
    expect(nearestVoxel(geometry, [-3.2, 239.6, 80.4])).toEqual([0, 239, 80]);
  });
});

describe('viewAxis', () => {
  it('finds the grid axis along each standard view', () => {
    const geometry = gridGeometry([240, 240, 155], BRATS_AFFINE);
    expect(viewAxis(geometry, VIEW_CAMERAS.axial.viewPlaneNormal)).toBe(2);
    expect(viewAxis(geometry, VIEW_CAMERAS.sagittal.viewPlaneNormal)).toBe(0);
    expect(viewAxis(geometry, VIEW_CAMERAS.coronal.viewPlaneNormal)).toBe(1);
  });
});

describe('edgeLabels', () => {
  it('puts the patient left on the right of an axial image (radiological convention)', () => {
    const { viewUp, viewPlaneNormal } = VIEW_CAMERAS.axial;
    expect(edgeLabels(viewUp, viewPlaneNormal)).toEqual({ top: 'A', bottom: 'P', left: 'R', right: 'L' });
  });

  it('labels a sagittal image with anterior on the left and superior on top', () => {
    const { viewUp, viewPlaneNormal } = VIEW_CAMERAS.sagittal;
    expect(edgeLabels(viewUp, viewPlaneNormal)).toEqual({ top: 'S', bottom: 'I', left: 'A', right: 'P' });
  });

  it('labels a coronal image with the patient left on the right', () => {
    const { viewUp, viewPlaneNormal } = VIEW_CAMERAS.coronal;
    expect(edgeLabels(viewUp, viewPlaneNormal)).toEqual({ top: 'S', bottom: 'I', left: 'R', right: 'L' });
  });

  it('gives two letters for an oblique direction, the stronger first', () => {
    const up = [0, -Math.cos(0.5), Math.sin(0.5)];
    expect(edgeLabels(up, [0, -Math.sin(0.5), -Math.cos(0.5)]).top).toBe('AS');
  });
});
