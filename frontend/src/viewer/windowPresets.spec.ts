import { describe, expect, it } from 'vitest';
import { intensityHistogram, presetRange, windowOf } from './windowPresets';

describe('intensityHistogram', () => {
  it('ignores the zero background when it finds percentiles', () => {
    const data = new Int16Array(20_000);
    for (let index = 0; index < 10_000; index++) {
      data[index] = 1 + (index % 1000);
    }
    const histogram = intensityHistogram(data, 1);
    expect(histogram.min).toBe(1);
    expect(histogram.max).toBe(1000);
    expect(histogram.at(50)).toBeGreaterThan(480);
    expect(histogram.at(50)).toBeLessThan(520);
  });

  it('returns a zero range for an empty volume', () => {
    const histogram = intensityHistogram(new Float32Array(100), 1);
    expect(presetRange(histogram, 'auto')).toEqual({ lower: 0, upper: 1 });
  });
});

describe('presetRange', () => {
  it('widens from the contrast preset to the full range', () => {
    const data = Float32Array.from({ length: 10_000 }, (_, index) => index + 1);
    const histogram = intensityHistogram(data, 1);
    const contrast = presetRange(histogram, 'contrast');
    const full = presetRange(histogram, 'full');
    expect(full.lower).toBe(1);
    expect(full.upper).toBeCloseTo(10_000, -1);
    expect(contrast.lower).toBeGreaterThan(full.lower);
    expect(contrast.upper).toBeLessThan(full.upper);
  });
});

describe('windowOf', () => {
  it('gives width and centre', () => {
    expect(windowOf({ lower: 100, upper: 500 })).toEqual({ width: 400, center: 300 });
  });
});
