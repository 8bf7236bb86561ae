import { describe, expect, it } from 'vitest';
import { apiUrl, isDrawn, parseViewerConfig } from './config';

describe('parseViewerConfig', () => {
  it('names the missing parts of a configuration', () => {
    expect(() => parseViewerConfig({ case: {}, user: {} })).toThrow(/grid, sequences, regions, api, workflow/);
  });

  it('rejects a case without volumes', () => {
    const config = {
      case: {},
      user: {},
      grid: { shape: [2, 2, 2], affine: [[1], [1], [1]] },
      sequences: [],
      regions: [],
      api: {},
      workflow: {},
    };
    expect(() => parseViewerConfig(config)).toThrow(/no sequence volumes/);
  });
});

describe('apiUrl', () => {
  it('fills the id placeholder', () => {
    expect(apiUrl('/api/v1/masks/{id}/data/', 17)).toBe('/api/v1/masks/17/data/');
  });
});

describe('isDrawn', () => {
  it('tells drawn regions from derived ones', () => {
    expect(isDrawn({ key: 'WT', name: 'Whole tumour', color: '#FFFF00', drawn_on: 'FLAIR', bit: 1, within: null, required: true })).toBe(true);
    expect(isDrawn({ key: 'NET', name: 'Non-enhancing', color: '#0066FF', derived: { op: 'difference', of: ['TC', 'ET'] } })).toBe(false);
  });
});
