/**
 * The workflow bar under the viewer's top bar: where the case stands and what the user can do
 * with it now. The annotator submits the saved version (or excludes the case), the reviewer
 * approves or rejects it, and everyone else reads why the case is read-only. After a submission
 * or decision the bar offers the way back to the worklist.
 */

import { t } from '../i18n';
import type { Store } from '../state/store';
import type { ViewerConfig } from '../viewer/config';
import type { CaseWorkflow } from '../workflow/caseWorkflow';
import { h } from './dom';
import { openDecisionDialog } from './decisionDialog';
import { refusalText, openSubmitDialog } from './submitDialog';
import type { Toasts } from './toasts';

/** The commands of the bar that act on the viewer rather than on the server. */
export interface WorkflowBarCommands {
  selectCommentTool(): void;
}

export function buildWorkflowBar(config: ViewerConfig, store: Store, actions: CaseWorkflow, commands: WorkflowBarCommands, toasts: Toasts): HTMLElement {
  const sequenceNames = new Map(config.sequences.map((sequence) => [sequence.key, sequence.name]));
  const status = h('span', { class: 'workflow-status', 'data-testid': 'workflow-status', role: 'status' });
  const buttons = h('span', { class: 'workflow-actions' });
  const worklist = h('a', { class: 'button', href: config.workflow.links.worklist, 'data-testid': 'worklist-link', textContent: t('workflow.worklist') });
  const bar = h('div', { class: 'workflow-bar', 'data-testid': 'workflow-bar' }, status, buttons, h('span', { class: 'spacer' }), worklist);

  const openSubmit = async (): Promise<void> => {
    const outcome = await openSubmitDialog(config.workflow, store, actions, submitReady(store), sequenceNames);
    if (outcome) {
      toasts.show(t(outcome === 'submitted' ? 'submit.done' : 'exclude.done'), 'info', { label: t('workflow.worklist'), run: () => window.location.assign(config.workflow.links.worklist) }, 0);
    }
  };
  const recall = async (): Promise<void> => {
    const outcome = await actions.recall();
    if (!outcome.ok) {
      toasts.show(refusalText(outcome), 'error', undefined, 0);
    }
  };
  const decide = async (decision: 'approved' | 'rejected'): Promise<void> => {
    const version = config.workflow.submitted_version;
    if (version && (await openDecisionDialog(decision, version.number, store, actions))) {
      toasts.show(t(decision === 'approved' ? 'review.approved' : 'review.rejected', { number: version.number }), 'info', { label: t('workflow.worklist'), run: () => window.location.assign(config.workflow.links.worklist) }, 0);
    }
  };

  const render = (): void => {
    const state = store.state;
    bar.dataset.mode = state.workflowMode;
    worklist.classList.toggle('primary', state.workflowMode === 'read_only');
    if (state.workflowMode === 'annotate') {
      status.textContent = annotateStatus(store);
      const blocked = submitReady(store);
      buttons.replaceChildren(
        h('button', { type: 'button', class: 'primary', 'data-testid': 'submit-open', textContent: t('submit.open'), disabled: blocked !== null, title: blocked ?? '', onclick: () => void openSubmit() }),
        h('button', { type: 'button', 'data-testid': 'exclude-open', textContent: t('exclude.open'), disabled: state.preview !== null, onclick: () => void openSubmit() }),
      );
    } else if (state.workflowMode === 'review') {
      const version = config.workflow.submitted_version;
      status.textContent = t('workflow.review.status', { number: version?.number ?? 0, author: version?.author ?? '—' });
      buttons.replaceChildren(
        h('span', { class: 'muted', 'data-testid': 'draft-count' }, t('workflow.review.comments', { count: state.draftComments.length })),
        h('button', { type: 'button', class: state.tool === 'comment' ? 'selected' : '', 'data-testid': 'comment-tool', textContent: t('workflow.review.commentTool'), onclick: () => commands.selectCommentTool() }),
        h('button', { type: 'button', class: 'approve', 'data-testid': 'approve-open', textContent: t('review.approve'), onclick: () => void decide('approved') }),
        h('button', { type: 'button', class: 'danger', 'data-testid': 'reject-open', textContent: t('review.reject'), onclick: () => void decide('rejected') }),
      );
    } else {
      status.textContent = readOnlyStatus(config, store);
      buttons.replaceChildren(state.canRecall && state.caseState === 'submitted' ? h('button', { type: 'button', 'data-testid': 'recall', textContent: t('workflow.recall'), onclick: () => void recall() }) : '');
    }
  };
  store.subscribe((_, changed) => {
    const watched = ['workflowMode', 'caseState', 'saveStatus', 'baseVersion', 'submittable', 'canRecall', 'draftComments', 'preview', 'tool', 'comments'] as const;
    if (watched.some((key) => changed.has(key))) {
      render();
    }
  });
  render();
  return bar;
}

/** Return why the Submit button is disabled now, or null when it is enabled. */
function submitReady(store: Store): string | null {
  const { submittable, saveStatus, baseVersion, preview } = store.state;
  if (preview) {
    return t('submit.blockedPreview');
  }
  if (!baseVersion) {
    return t('submit.blockedNoVersion');
  }
  if (saveStatus !== 'saved') {
    return t('submit.blockedUnsaved');
  }
  if (!submittable) {
    return t('submit.blockedUnchanged');
  }
  return null;
}

function annotateStatus(store: Store): string {
  const { caseState, comments } = store.state;
  switch (caseState) {
    case 'rejected':
      return t('workflow.annotate.rejected', { count: comments.length });
    case 'approved':
      return t('workflow.annotate.approved');
    case 'new':
      return t('workflow.annotate.new');
    default:
      return t('workflow.annotate.annotating');
  }
}

function readOnlyStatus(config: ViewerConfig, store: Store): string {
  const { caseState } = store.state;
  // A submission in this session is newer than the page's configuration.
  const version = store.state.baseVersion ?? config.workflow.submitted_version;
  const number = version?.number ?? 0;
  switch (caseState) {
    case 'submitted':
    case 'in_review':
      return waitingStatus(config, number, version?.author_id);
    case 'approved':
      return t('workflow.readOnly.approved', { number });
    case 'rejected':
      return t('workflow.readOnly.rejected', { number });
    case 'excluded':
      return t('workflow.readOnly.excluded');
    default:
      return t('workflow.readOnly.other');
  }
}

/**
 * The status of a case waiting for review that this user may not review: the server's reason
 * when it gives one, else the reason that follows from authorship of the submitted version.
 */
function waitingStatus(config: ViewerConfig, number: number, authorId: number | null | undefined): string {
  const refusal = config.workflow.review_refusal;
  if (refusal?.detail) {
    return t('workflow.readOnly.waitingRefused', { number, reason: refusal.detail });
  }
  if (authorId !== undefined && authorId === config.user.id) {
    return t('workflow.readOnly.waitingOwn', { number });
  }
  return t('workflow.readOnly.waiting', { number });
}
