/**
 * The review comments panel: the comments of earlier reviews (for the annotator reworking a
 * rejected case) and, in a review, the comments placed so far, not sent yet. Each is numbered as
 * its marker on the viewports; a click moves every viewport to the comment's voxel.
 */

import { t, type MessageId } from '../i18n';
import type { Store } from '../state/store';
import { axisIndexOf } from '../workflow/commentPlacement';
import type { CaseComment, DraftComment } from '../workflow/workflowConfig';
import { h } from './dom';

/** What a click on a comment does, and how a draft is removed. */
export interface CommentActions {
  jumpToComment(comment: CaseComment | DraftComment): void;
  removeDraftComment(id: number): void;
}

/** Build the panel; `reviewing` adds the hint for the comment tool. */
export function buildCommentsPanel(store: Store, actions: CommentActions, colors: Map<string, string>, reviewing: () => boolean): HTMLElement {
  const heading = h('h2', {});
  const hint = h('p', { class: 'muted small' }, t('comments.hint'));
  const list = h('ol', { class: 'comment-list', 'data-testid': 'comment-list' });
  const panel = h('section', { class: 'panel comments-panel', 'data-testid': 'comments-panel' }, heading, hint, list);
  const render = (): void => {
    const { comments, draftComments, selectedComment } = store.state;
    const all: Array<CaseComment | DraftComment> = [...comments, ...draftComments];
    panel.hidden = all.length === 0 && !reviewing();
    hint.hidden = !reviewing();
    heading.textContent = t('comments.heading', { count: all.length });
    list.replaceChildren(...all.map((comment, index) => commentRow(comment, index + 1, comment.id === selectedComment, colors, actions)));
  };
  store.subscribe((_, changed) => {
    if (changed.has('comments') || changed.has('draftComments') || changed.has('selectedComment') || changed.has('workflowMode')) {
      render();
    }
  });
  render();
  return panel;
}

function commentRow(comment: CaseComment | DraftComment, number: number, selected: boolean, colors: Map<string, string>, actions: CommentActions): HTMLElement {
  const draft = comment.id < 0;
  const origin = draft ? t('comments.draft') : describeOrigin(comment as CaseComment);
  const where = t('comments.where', { axis: t(`orientation.${comment.axis}` as MessageId), slice: comment.point_ijk[axisIndexOf(comment.axis)] + 1 });
  return h(
    'li',
    { class: `comment-row${selected ? ' selected' : ''}${draft ? ' draft' : ''}`, 'data-comment': String(comment.id) },
    h(
      'button',
      { type: 'button', class: 'link-button comment-jump', onclick: () => actions.jumpToComment(comment) },
      h('span', { class: 'comment-number', style: `--region-color: ${colors.get(comment.region) ?? '#fff'}` }, String(number)),
      h('strong', {}, comment.region),
      ' ',
      h('span', { class: 'muted small' }, where),
    ),
    h('p', { class: 'comment-text' }, comment.text),
    h('small', { class: 'muted' }, origin),
    draft ? h('button', { type: 'button', class: 'link-button small', textContent: t('comments.remove'), onclick: () => actions.removeDraftComment(comment.id) }) : '',
  );
}

function describeOrigin(comment: CaseComment): string {
  const when = new Date(comment.created_at).toLocaleString(document.documentElement.lang || 'en');
  return t('comments.origin', { reviewer: comment.reviewer, version: comment.version, when });
}
