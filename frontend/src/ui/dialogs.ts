/**
 * Modal dialogs of the viewer, on the native <dialog> element: a choice between actions, and a
 * request for a written reason. Each returns a promise of the user's choice.
 */

import { t } from '../i18n';
import { h } from './dom';

/**
 * Show `dialog` as a modal and return the function that closes it with a value. Escape closes it
 * with `onEscape`. Either way the dialog leaves the page and `resolve` receives the value.
 */
export function showModal<T>(dialog: HTMLDialogElement, resolve: (value: T) => void, onEscape: T): (value: T) => void {
  const finish = (value: T): void => {
    dialog.close();
    dialog.remove();
    resolve(value);
  };
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    finish(onEscape);
  });
  document.body.append(dialog);
  dialog.showModal();
  return finish;
}

/** One button of a choice dialog. */
export interface DialogChoice<T extends string> {
  value: T;
  label: string;
  primary?: boolean;
}

/** Ask the user to pick one of several actions; resolves with its value, or null on Escape. */
export function choose<T extends string>(title: string, message: string, choices: DialogChoice<T>[], testId = 'choice-dialog'): Promise<T | null> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'viewer-dialog', 'data-testid': testId });
    const buttons = choices.map((choice) =>
      h('button', {
        type: 'button',
        class: choice.primary ? 'primary' : '',
        'data-choice': choice.value,
        textContent: choice.label,
        onclick: () => finish(choice.value),
      }),
    );
    dialog.append(h('h2', {}, title), h('p', {}, message), h('div', { class: 'dialog-buttons' }, ...buttons));
    const finish = showModal<T | null>(dialog, resolve, null);
  });
}

/** Ask for a non-empty written reason; resolves with it, or null when the user cancels. */
export function askReason(title: string, message: string): Promise<string | null> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'viewer-dialog', 'data-testid': 'reason-dialog' });
    const input = h('textarea', { rows: 3, required: true, name: 'reason', maxLength: 500 });
    const confirm = h('button', { type: 'submit', class: 'primary', textContent: t('dialog.confirm') });
    const cancel = h('button', { type: 'button', textContent: t('dialog.cancel'), onclick: () => finish(null) });
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', {}, title),
      h('p', {}, message),
      h('label', {}, t('dialog.reason'), input),
      h('div', { class: 'dialog-buttons' }, cancel, confirm),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const reason = input.value.trim();
      if (reason) {
        finish(reason);
      } else {
        input.focus();
      }
    });
    dialog.append(form);
    const finish = showModal<string | null>(dialog, resolve, null);
    input.focus();
  });
}
