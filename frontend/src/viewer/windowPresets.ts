/**
 * Window/level presets for MR.
 *
 * MR intensities have no physical unit (unlike CT's Hounsfield units), so fixed windows do not
 * carry from one scanner or sequence to the next. Each preset is a pair of percentiles of the
 * volume's non-zero voxels instead (skull-stripped BraTS-style volumes are zero outside the head),
 * computed per volume, so one preset suits all four sequences at once.
 */

/** The presets offered in the viewer, as [lower, upper] percentiles of non-zero voxels. */
export const WINDOW_PRESETS = {
  auto: [0.5, 99.5],
  contrast: [5, 99],
  bright: [40, 99.9],
  full: [0, 100],
} as const satisfies Record<string, readonly [number, number]>;

export type WindowPresetKey = keyof typeof WINDOW_PRESETS;

/** An intensity range shown from black to white. */
export interface VoiRange {
  lower: number;
  upper: number;
}

/** Intensity percentiles of a volume, from a histogram of its non-zero voxels. */
export interface IntensityHistogram {
  min: number;
  max: number;
  /** Intensity at a percentile (0 to 100) of the non-zero voxels. */
  at(percentile: number): number;
}

const BINS = 4096;

/**
 * Build the histogram of the non-zero voxels of `data`, reading every `step`-th voxel. A step of
 * 7 reads 1.3 million voxels of a 240x240x155 volume, enough for percentiles to within a bin.
 */
export function intensityHistogram(data: ArrayLike<number>, step = 7): IntensityHistogram {
  let min = Infinity;
  let max = -Infinity;
  for (let index = 0; index < data.length; index += step) {
    const value = data[index];
    if (value !== 0 && Number.isFinite(value)) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
  }
  if (min === Infinity) {
    return { min: 0, max: 0, at: () => 0 };
  }
  const counts = new Float64Array(BINS);
  const scale = max > min ? (BINS - 1) / (max - min) : 0;
  let total = 0;
  for (let index = 0; index < data.length; index += step) {
    const value = data[index];
    if (value !== 0 && Number.isFinite(value)) {
      counts[Math.round((value - min) * scale)]++;
      total++;
    }
  }
  const cumulative = new Float64Array(BINS);
  let running = 0;
  for (let bin = 0; bin < BINS; bin++) {
    running += counts[bin];
    cumulative[bin] = running;
  }
  const at = (percentile: number): number => {
    const wanted = (Math.min(100, Math.max(0, percentile)) / 100) * total;
    const bin = lowerBound(cumulative, wanted);
    return scale > 0 ? min + bin / scale : min;
  };
  return { min, max, at };
}

/** Return the VOI range of a preset for a volume's histogram, which is never empty. */
export function presetRange(histogram: IntensityHistogram, preset: WindowPresetKey): VoiRange {
  const [low, high] = WINDOW_PRESETS[preset];
  const lower = histogram.at(low);
  const upper = Math.max(histogram.at(high), lower + 1);
  return { lower, upper };
}

/** Window width and centre of a VOI range, as radiologists read them. */
export function windowOf(range: VoiRange): { width: number; center: number } {
  return { width: range.upper - range.lower, center: (range.upper + range.lower) / 2 };
}

function lowerBound(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] < value) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}
