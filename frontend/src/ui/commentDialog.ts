/** The dialog of the comment tool: the region a comment is about and its text. */

import { t } from '../i18n';
import { showModal } from './dialogs';
import { h } from './dom';

/** A region the comment can name. */
export interface CommentRegionChoice {
  key: string;
  name: string;
}

/** Ask for a comment's region and text; resolves with them, or null when the user cancels. */
export function askComment(
  location: string,
  regions: CommentRegionChoice[],
  defaultRegion: string,
): Promise<{ region: string; text: string } | null> {
  return new Promise((resolve) => {
    const region = h(
      'select',
      { name: 'region', 'data-testid': 'comment-region' },
      ...regions.map((choice) => h('option', { value: choice.key, textContent: `${choice.key} · ${choice.name}`, selected: choice.key === defaultRegion })),
    );
    const text = h('textarea', { name: 'text', rows: 4, required: true, maxLength: 4000, 'data-testid': 'comment-text' });
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', {}, t('comment.title')),
      h('p', { class: 'muted small' }, location),
      h('label', {}, t('comment.region'), region),
      h('label', {}, t('comment.text'), text),
      h(
        'div',
        { class: 'dialog-buttons' },
        h('button', { type: 'button', textContent: t('dialog.cancel'), onclick: () => finish(null) }),
        h('button', { type: 'submit', class: 'primary', textContent: t('comment.add') }),
      ),
    );
    const dialog = h('dialog', { class: 'viewer-dialog', 'data-testid': 'comment-dialog' }, form);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (text.value.trim()) {
        finish({ region: region.value, text: text.value.trim() });
      } else {
        text.focus();
      }
    });
    const finish = showModal<{ region: string; text: string } | null>(dialog, resolve, null);
    text.focus();
  });
}
