/**
 * The review decision dialog: approve or reject the submitted version with a summary; the
 * comments placed on the viewports go with it. The server refuses a rejection without a comment
 * or summary, and a decision on a version that is no longer the current one (409); the dialog
 * shows its message, and for the latter offers to reload the case.
 */

import { t } from '../i18n';
import type { Store } from '../state/store';
import type { CaseWorkflow } from '../workflow/caseWorkflow';
import { showModal } from './dialogs';
import { h } from './dom';
import { refusalText } from './submitDialog';

/** Open the dialog for one decision; resolves true when the server recorded it. */
export function openDecisionDialog(decision: 'approved' | 'rejected', versionNumber: number, store: Store, actions: CaseWorkflow): Promise<boolean> {
  return new Promise((resolve) => {
    const rejecting = decision === 'rejected';
    const count = store.state.draftComments.length;
    const summary = h('textarea', { name: 'summary', rows: 4, maxLength: 4000, 'data-testid': 'decision-summary' });
    const error = h('div', { class: 'dialog-error', role: 'alert', 'data-testid': 'decision-error', hidden: true });
    const confirm = h('button', {
      type: 'button',
      class: rejecting ? 'danger' : 'primary',
      'data-testid': 'decision-confirm',
      textContent: t(rejecting ? 'review.rejectConfirm' : 'review.approveConfirm'),
    });
    const dialog = h(
      'dialog',
      { class: 'viewer-dialog decision-dialog', 'data-testid': 'decision-dialog' },
      h('h2', {}, t(rejecting ? 'review.rejectTitle' : 'review.approveTitle', { number: versionNumber })),
      h('p', { class: 'muted small' }, t(rejecting ? 'review.rejectExplain' : 'review.approveExplain')),
      h('p', { class: count || !rejecting ? 'small' : 'small warning' }, t('review.commentsSent', { count })),
      h('label', {}, t(rejecting ? 'review.summary' : 'review.summaryOptional'), summary),
      error,
      h('div', { class: 'dialog-buttons' }, h('button', { type: 'button', textContent: t('dialog.cancel'), onclick: () => finish(false) }), confirm),
    );
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      error.hidden = true;
      const outcome = await actions.decide(decision, summary.value);
      if (outcome.ok) {
        finish(true);
        return;
      }
      error.replaceChildren(h('p', {}, refusalText(outcome)));
      if (outcome.code === 'VERSION_NOT_CURRENT') {
        error.append(
          h('p', {}, t('review.versionChanged')),
          h('button', { type: 'button', class: 'primary', 'data-testid': 'decision-reload', textContent: t('review.reload'), onclick: () => window.location.reload() }),
        );
      } else {
        confirm.disabled = false;
      }
      error.hidden = false;
    });
    const finish = showModal<boolean>(dialog, resolve, false);
    summary.focus();
  });
}
