/**
 * The submitted checklist: the protocol's checklist items with the annotator's answers for the
 * submitted version, shown to the reviewer (an item the annotator did not confirm stands out).
 */

import { t } from '../i18n';
import type { WorkflowConfig } from '../workflow/workflowConfig';
import { h } from './dom';

export function buildChecklistPanel(workflow: WorkflowConfig): HTMLElement {
  const answers = workflow.submitted_checklist;
  return h(
    'section',
    { class: 'panel checklist-panel', 'data-testid': 'submitted-checklist' },
    h('h2', {}, t('checklist.heading')),
    h(
      'ul',
      { class: 'checklist-answers' },
      ...workflow.checklist.map((item) => {
        const confirmed = answers[item.key] === true;
        return h(
          'li',
          { class: confirmed ? 'ok' : 'warning', 'data-item': item.key },
          h('span', { class: 'checklist-mark', 'aria-label': t(confirmed ? 'checklist.confirmed' : 'checklist.notConfirmed') }, confirmed ? '✓' : '✗'),
          ' ',
          item.text,
        );
      }),
    ),
  );
}
