import { describe, expect, it } from 'vitest';
import { qualityLevel, qualityProblems } from './qualityStatus';

describe('qualityLevel', () => {
  it('tells ungraded, low and acceptable grades apart', () => {
    expect(qualityLevel(null, 2)).toBe('missing');
    expect(qualityLevel(1, 2)).toBe('low');
    expect(qualityLevel(2, 2)).toBe('ok');
    expect(qualityLevel(3, 2)).toBe('ok');
  });
});

describe('qualityProblems', () => {
  it('lists ungraded series and series below the minimum', () => {
    const series = [
      { series: 1, sequence: 'FLAIR', grade: 3, reasons: [] },
      { series: 2, sequence: 'T1', grade: null, reasons: [] },
      { series: 3, sequence: 'T1c', grade: 1, reasons: ['motion'] },
      { series: 4, sequence: 'T2', grade: 2, reasons: [] },
    ];
    expect(qualityProblems(series, 2).map((item) => item.sequence)).toEqual(['T1', 'T1c']);
  });

  it('is empty when every series is good enough', () => {
    expect(qualityProblems([{ series: 1, sequence: 'T2', grade: 2, reasons: [] }], 2)).toEqual([]);
  });
});
