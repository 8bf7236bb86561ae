/** The keyboard and mouse help, listed from the same table the shortcut handler uses. */

import { t, type MessageId } from '../i18n';
import { SHORTCUT_HELP } from '../tools/shortcuts';
import { h } from './dom';

/** Open the help as a modal dialog; Escape or the button closes it. */
export function showHelp(): void {
  const existing = document.querySelector<HTMLDialogElement>('dialog.help-dialog');
  if (existing) {
    existing.close();
    existing.remove();
    return;
  }
  const dialog = h(
    'dialog',
    { class: 'viewer-dialog help-dialog', 'data-testid': 'help' },
    h('h2', {}, t('help.title')),
    h('dl', { class: 'shortcut-list' }, ...SHORTCUT_HELP.flatMap((item) => [h('dt', {}, h('kbd', {}, item.gesture ? t(item.gesture as MessageId) : (item.keys ?? ''))), h('dd', {}, t(item.help as MessageId))])),
    h('div', { class: 'dialog-buttons' }, h('button', { type: 'button', textContent: t('dialog.close'), onclick: () => close() })),
  );
  const close = (): void => {
    dialog.close();
    dialog.remove();
  };
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
