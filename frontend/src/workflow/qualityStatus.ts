/** Image quality of the case's series against the protocol's minimum grade, as pure functions. */

import type { SeriesQuality } from './workflowConfig';

/** How a series' grade stands: not graded yet, below the minimum, or good enough. */
export type QualityLevel = 'missing' | 'low' | 'ok';

/** Return the level of a grade against the protocol's minimum. */
export function qualityLevel(grade: number | null, minimum: number): QualityLevel {
  if (grade === null) {
    return 'missing';
  }
  return grade < minimum ? 'low' : 'ok';
}

/**
 * Return the series that block a submission: not graded, or graded below the minimum. The
 * server refuses a submission while any selected series is in this list.
 */
export function qualityProblems(series: SeriesQuality[], minimum: number): SeriesQuality[] {
  return series.filter((item) => qualityLevel(item.grade, minimum) !== 'ok');
}
