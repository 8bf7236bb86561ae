import { describe, expect, it } from 'vitest';
import { canPaint, withOverride } from './paintPermission';

describe('canPaint', () => {
  it('allows a region on its prescribed sequence', () => {
    expect(canPaint('WT', 'FLAIR', 'FLAIR', [])).toBe(true);
  });

  it('refuses a region on another sequence without a reason', () => {
    expect(canPaint('WT', 'FLAIR', 'T1c', [])).toBe(false);
  });

  it('allows it once an override with a reason exists for that sequence', () => {
    const overrides = [{ region: 'WT', sequence: 'T1c', reason: 'FLAIR has motion artefacts' }];
    expect(canPaint('WT', 'FLAIR', 'T1c', overrides)).toBe(true);
    expect(canPaint('WT', 'FLAIR', 'T2', overrides)).toBe(false);
    expect(canPaint('TC', 'T2', 'T1c', overrides)).toBe(false);
  });

  it('ignores an override whose reason is blank', () => {
    expect(canPaint('ET', 'T1c', 'T1', [{ region: 'ET', sequence: 'T1', reason: '  ' }])).toBe(false);
  });
});

describe('withOverride', () => {
  it('replaces an earlier reason for the same region and sequence', () => {
    const first = withOverride([], { region: 'TC', sequence: 'FLAIR', reason: 'one' });
    const second = withOverride(first, { region: 'TC', sequence: 'FLAIR', reason: 'two' });
    expect(second).toEqual([{ region: 'TC', sequence: 'FLAIR', reason: 'two' }]);
  });
});
