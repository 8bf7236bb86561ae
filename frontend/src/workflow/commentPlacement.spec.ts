import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../viewer/geometry';
import { axisIndexOf, commentAxisOf, commentPayloads, commentsOnSlice, commentVoxelAt, innermostRegion, isOnSlice } from './commentPlacement';
import type { DraftComment } from './workflowConfig';

const DIMENSIONS: Vec3 = [240, 240, 155];

describe('comment axes', () => {
  it('name the grid axes as the server maps them', () => {
    expect([0, 1, 2].map((axis) => commentAxisOf(axis as 0 | 1 | 2))).toEqual(['sagittal', 'coronal', 'axial']);
  });

  it('map names back to grid axes', () => {
    expect(axisIndexOf('sagittal')).toBe(0);
    expect(axisIndexOf('coronal')).toBe(1);
    expect(axisIndexOf('axial')).toBe(2);
  });

  it('round-trip so the server slice index is the slice shown', () => {
    const point: Vec3 = [120, 80, 77];
    for (const axis of [0, 1, 2] as const) {
      expect(point[axisIndexOf(commentAxisOf(axis))]).toBe(point[axis]);
    }
  });
});

describe('commentVoxelAt', () => {
  it('rounds a click to the voxel that contains it', () => {
    expect(commentVoxelAt([10.4, 20.6, 76.5], DIMENSIONS)).toEqual([10, 21, 77]);
  });

  it('keeps clicks on the edge voxels', () => {
    expect(commentVoxelAt([-0.4, 239.4, 0], DIMENSIONS)).toEqual([0, 239, 0]);
  });

  it('returns null outside the grid', () => {
    expect(commentVoxelAt([-0.6, 10, 10], DIMENSIONS)).toBeNull();
    expect(commentVoxelAt([10, 10, 155], DIMENSIONS)).toBeNull();
  });
});

describe('commentsOnSlice', () => {
  const comments = [
    { id: 1, point_ijk: [100, 120, 70] as Vec3 },
    { id: 2, point_ijk: [90, 120, 71] as Vec3 },
    { id: 3, point_ijk: [100, 60, 70] as Vec3 },
  ];

  it('shows a comment on the axial slice of its k', () => {
    expect(commentsOnSlice(comments, { axis: 2, index: 70 }).map(({ comment }) => comment.id)).toEqual([1, 3]);
  });

  it('shows a comment on any view whose slice contains its voxel', () => {
    expect(commentsOnSlice(comments, { axis: 1, index: 120 }).map(({ comment }) => comment.id)).toEqual([1, 2]);
    expect(commentsOnSlice(comments, { axis: 0, index: 90 }).map(({ comment }) => comment.id)).toEqual([2]);
  });

  it('keeps each comment number from the whole list', () => {
    expect(commentsOnSlice(comments, { axis: 2, index: 70 }).map(({ number }) => number)).toEqual([1, 3]);
  });

  it('shows nothing on a slice without comments', () => {
    expect(commentsOnSlice(comments, { axis: 2, index: 0 })).toEqual([]);
    expect(isOnSlice([1, 2, 3], { axis: 2, index: 2 })).toBe(false);
  });
});

describe('commentPayloads', () => {
  it('sends region, axis, voxel and trimmed text, without local ids', () => {
    const drafts: DraftComment[] = [{ id: -1, region: 'TC', axis: 'axial', point_ijk: [1, 2, 3], text: '  TC misses the necrosis \n' }];
    expect(commentPayloads(drafts)).toEqual([{ region: 'TC', axis: 'axial', point_ijk: [1, 2, 3], text: 'TC misses the necrosis' }]);
  });
});

describe('innermostRegion', () => {
  const regions = [
    { key: 'WT', bit: 1 },
    { key: 'TC', bit: 2 },
    { key: 'ET', bit: 4 },
  ];

  it('picks the innermost region whose bit is set', () => {
    expect(innermostRegion(regions, 1 | 2 | 4)).toBe('ET');
    expect(innermostRegion(regions, 1 | 2)).toBe('TC');
    expect(innermostRegion(regions, 1)).toBe('WT');
  });

  it('names a region that lies outside its container too', () => {
    expect(innermostRegion(regions, 2)).toBe('TC');
  });

  it('returns null outside every region', () => {
    expect(innermostRegion(regions, 0)).toBeNull();
  });
});
