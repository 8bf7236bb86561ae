/**
 * The image quality panel: each sequence's grade (1 unusable, 2 acceptable, 3 good, named by the
 * protocol) and the reasons for it (motion, artefact, coverage, contrast timing). Ungraded and
 * low grades stand out, here and in each viewport's title, because the server refuses a
 * submission until every sequence is graded at the protocol's minimum or better.
 */

import { t, type MessageId } from '../i18n';
import type { Store } from '../state/store';
import type { ViewportEntry } from '../viewer/viewportGrid';
import type { CaseWorkflow } from '../workflow/caseWorkflow';
import { qualityLevel, qualityProblems } from '../workflow/qualityStatus';
import type { QualityConfig, SeriesQuality } from '../workflow/workflowConfig';
import { h } from './dom';
import { refusalText } from './submitDialog';

/** Build the panel; `editable` lets the user change grades (the annotator, or an admin). */
export function buildQualityPanel(
  quality: QualityConfig,
  sequences: Array<{ key: string; name: string }>,
  store: Store,
  actions: CaseWorkflow,
  editable: boolean,
): HTMLElement {
  const summary = h('p', { class: 'small', 'data-testid': 'quality-summary' });
  const error = h('p', { class: 'dialog-error small', role: 'alert', hidden: true });
  const rows = sequences.map((sequence) => qualityRow(sequence, quality, store, editable, (seriesId, grade, reasons) => send(seriesId, grade, reasons)));
  const panel = h(
    'section',
    { class: 'panel quality-panel', 'data-testid': 'quality-panel' },
    h('h2', {}, t('quality.heading')),
    summary,
    h('ul', { class: 'quality-list' }, ...rows.map((row) => row.element)),
    error,
  );
  const send = async (seriesId: number, grade: number, reasons: string[]): Promise<void> => {
    error.hidden = true;
    const outcome = await actions.grade(seriesId, grade, reasons);
    if (!outcome.ok) {
      error.textContent = refusalText(outcome);
      error.hidden = false;
    }
  };
  const render = (): void => {
    const problems = qualityProblems(store.state.quality, quality.minimum);
    summary.textContent = problems.length ? t('quality.problems', { count: problems.length, minimum: quality.minimum }) : t('quality.allGraded');
    summary.className = problems.length ? 'small warning' : 'small ok';
    rows.forEach((row) => row.render());
  };
  store.subscribe((_, changed) => {
    if (changed.has('quality')) {
      render();
    }
  });
  render();
  return panel;
}

/** Show each viewport's grade in its title, and keep it up to date. */
export function showQualityTags(entries: ViewportEntry[], quality: QualityConfig, store: Store): void {
  const names = new Map(quality.grades.map((grade) => [grade.value, grade.name]));
  const render = (): void => {
    for (const entry of entries) {
      const series = seriesOf(store.state.quality, entry.sequence.key);
      const grade = series?.grade ?? null;
      const level = qualityLevel(grade, quality.minimum);
      const text = grade === null ? t('quality.tagMissing') : t('quality.tag', { grade, name: names.get(grade) ?? '' });
      entry.overlay.setQuality(text, level);
    }
  };
  store.subscribe((_, changed) => {
    if (changed.has('quality')) {
      render();
    }
  });
  render();
}

function seriesOf(series: SeriesQuality[], sequence: string): SeriesQuality | undefined {
  return series.find((item) => item.sequence === sequence);
}

type SendGrade = (seriesId: number, grade: number, reasons: string[]) => void;

function qualityRow(sequence: { key: string; name: string }, quality: QualityConfig, store: Store, editable: boolean, send: SendGrade): { element: HTMLElement; render: () => void } {
  const grade = h(
    'select',
    { 'aria-label': t('quality.gradeOf', { sequence: sequence.name }), 'data-testid': `quality-grade-${sequence.key}`, disabled: !editable },
    h('option', { value: '', textContent: t('quality.notGraded'), disabled: true }),
    ...quality.grades.map((item) => h('option', { value: String(item.value), textContent: `${item.value} · ${item.name}` })),
  );
  const reasonBoxes = quality.reasons.map((reason) => h('input', { type: 'checkbox', value: reason.key, disabled: !editable }));
  const reasonCount = h('span', {});
  const reasons = h(
    'details',
    { class: 'quality-reasons' },
    h('summary', {}, t('quality.reasons'), ' ', reasonCount),
    ...quality.reasons.map((reason, index) => h('label', { class: 'check small' }, reasonBoxes[index], reason.name)),
  );
  const status = h('span', { class: 'quality-status small' });
  const element = h('li', { class: 'quality-row', 'data-sequence': sequence.key }, h('strong', {}, sequence.name), grade, status, reasons);
  const current = (): SeriesQuality | undefined => seriesOf(store.state.quality, sequence.key);
  const changed = (): void => {
    const series = current();
    if (series && grade.value !== '') {
      send(series.series, Number(grade.value), reasonBoxes.filter((box) => box.checked).map((box) => box.value));
    }
  };
  grade.addEventListener('change', () => {
    if (Number(grade.value) < quality.minimum) {
      reasons.open = true;
    }
    changed();
  });
  reasonBoxes.forEach((box) => box.addEventListener('change', changed));
  return {
    element,
    render: () => {
      const series = current();
      const level = qualityLevel(series?.grade ?? null, quality.minimum);
      grade.value = series?.grade === null || series?.grade === undefined ? '' : String(series.grade);
      grade.disabled = !editable || !series;
      reasonBoxes.forEach((box) => (box.checked = series?.reasons.includes(box.value) ?? false));
      reasonCount.textContent = series?.reasons.length ? `(${series.reasons.length})` : '';
      element.dataset.level = level;
      status.textContent = t(`quality.level.${level}` as MessageId);
    },
  };
}
