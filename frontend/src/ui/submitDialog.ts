/**
 * The submission dialog: the protocol's checklist, every item of which must be ticked before the
 * saved version goes to review, and the alternative of excluding the case as out of the
 * protocol's scope, with the exclusion and a note. The server's refusal (image quality below the
 * minimum, an incomplete checklist, an empty required region) is shown as it words it.
 */

import { t } from '../i18n';
import type { Store } from '../state/store';
import type { ActionResult, CaseWorkflow } from '../workflow/caseWorkflow';
import type { WorkflowConfig } from '../workflow/workflowConfig';
import { showModal } from './dialogs';
import { h } from './dom';
import { qualityProblems } from '../workflow/qualityStatus';

/** The dialog's outcome: the case was submitted or excluded, or the user closed it (null). */
export type SubmitDialogOutcome = 'submitted' | 'excluded' | null;

/**
 * Open the dialog. `blockedReason` is why the version cannot be submitted now (unsaved changes,
 * no version yet). When it is set, only the exclusion is offered.
 */
export function openSubmitDialog(
  workflow: WorkflowConfig,
  store: Store,
  actions: CaseWorkflow,
  blockedReason: string | null,
  sequenceNames: Map<string, string>,
): Promise<SubmitDialogOutcome> {
  const submitAllowed = blockedReason === null;
  return new Promise((resolve) => {
    const error = h('p', { class: 'dialog-error', role: 'alert', 'data-testid': 'submit-error', hidden: true });
    const boxes = workflow.checklist.map((item) => h('input', { type: 'checkbox', name: 'checklist', value: item.key }));
    const submit = h('button', { type: 'button', class: 'primary', 'data-testid': 'submit-confirm', textContent: t('submit.confirm') });
    const updateSubmit = (): void => {
      submit.disabled = !submitAllowed || boxes.some((box) => !box.checked);
    };
    boxes.forEach((box) => box.addEventListener('change', updateSubmit));
    updateSubmit();

    const reason = h(
      'select',
      { name: 'exclusion', 'data-testid': 'exclusion-reason' },
      h('option', { value: '', textContent: t('exclude.choose') }),
      ...workflow.scope_exclusions.map((choice) => h('option', { value: choice.key, textContent: choice.name })),
    );
    const note = h('textarea', { name: 'note', rows: 2, maxLength: 2000, 'data-testid': 'exclusion-note' });
    const exclude = h('button', { type: 'button', class: 'danger', 'data-testid': 'exclude-confirm', textContent: t('exclude.confirm'), disabled: true });
    reason.addEventListener('change', () => (exclude.disabled = reason.value === ''));

    const version = store.state.baseVersion;
    const dialog = h(
      'dialog',
      { class: 'viewer-dialog submit-dialog', 'data-testid': 'submit-dialog' },
      h('h2', {}, version ? t('submit.title', { number: version.number }) : t('submit.titleNoVersion')),
      submitAllowed ? h('p', { class: 'muted small' }, t('submit.explain')) : h('p', { class: 'warning small' }, t('submit.notNow', { reason: blockedReason })),
      qualityWarning(workflow, store, sequenceNames),
      h('fieldset', { class: 'checklist' }, h('legend', {}, t('submit.checklist')), ...workflow.checklist.map((item, index) => h('label', { class: 'check' }, boxes[index], item.text))),
      h('section', { class: 'exclusion' }, h('h3', {}, t('exclude.heading')), h('p', { class: 'muted small' }, t('exclude.explain')), h('label', {}, t('exclude.reason'), reason), h('label', {}, t('exclude.note'), note)),
      error,
      h('div', { class: 'dialog-buttons' }, h('button', { type: 'button', textContent: t('dialog.cancel'), onclick: () => finish(null) }), exclude, submit),
    );
    const buttons = [submit, exclude];
    const run = async (action: () => Promise<ActionResult>, done: SubmitDialogOutcome): Promise<void> => {
      const enabled = buttons.map((button) => !button.disabled);
      buttons.forEach((button) => (button.disabled = true));
      error.hidden = true;
      const outcome = await action();
      if (outcome.ok) {
        finish(done);
        return;
      }
      error.textContent = refusalText(outcome);
      error.hidden = false;
      buttons.forEach((button, index) => (button.disabled = !enabled[index]));
    };
    submit.addEventListener('click', () => {
      const checklist = Object.fromEntries(boxes.map((box) => [box.value, box.checked]));
      void run(() => actions.submit(checklist), 'submitted');
    });
    exclude.addEventListener('click', () => void run(() => actions.exclude(reason.value, note.value.trim()), 'excluded'));
    const finish = showModal<SubmitDialogOutcome>(dialog, resolve, null);
  });
}

/** Return the message of a rejected action: the server's, or the network failure. */
export function refusalText(outcome: { ok: false; code: string; detail: string; status: number }): string {
  if (outcome.status === 0) {
    return t('workflow.networkError', { error: outcome.detail });
  }
  return outcome.detail || outcome.code;
}

function qualityWarning(workflow: WorkflowConfig, store: Store, sequenceNames: Map<string, string>): HTMLElement | string {
  const problems = qualityProblems(store.state.quality, workflow.quality.minimum);
  if (problems.length === 0) {
    return '';
  }
  const names = problems.map((item) => sequenceNames.get(item.sequence) ?? item.sequence).join(', ');
  return h('p', { class: 'warning small', 'data-testid': 'submit-quality-warning' }, t('submit.qualityWarning', { sequences: names, minimum: workflow.quality.minimum }));
}
