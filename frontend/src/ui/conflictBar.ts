/**
 * The bar shown when a save was rejected because someone saved a newer version. It stays until
 * the user chooses, and it does not block the viewports: strokes made meanwhile are kept and
 * merged with the others.
 */

import { t } from '../i18n';
import type { MaskVersion } from '../viewer/config';
import { h } from './dom';

export interface ConflictBar {
  element: HTMLElement;
  show(current: MaskVersion | null, detail: string): void;
  hide(): void;
}

/** Build the (hidden) bar; `onChoice` runs the chosen resolution with the newer version. */
export function buildConflictBar(onChoice: (choice: 'merge' | 'reload', current: MaskVersion | null) => Promise<void>): ConflictBar {
  const message = h('span', {});
  const element = h('div', { class: 'conflict-bar', role: 'alert', 'data-testid': 'conflict-bar', hidden: true }, message);
  let current: MaskVersion | null = null;
  const choose = (choice: 'merge' | 'reload') => async (): Promise<void> => {
    buttons.forEach((button) => (button.disabled = true));
    try {
      await onChoice(choice, current);
      element.hidden = true;
    } finally {
      buttons.forEach((button) => (button.disabled = false));
    }
  };
  const buttons = [
    h('button', { type: 'button', class: 'primary', 'data-choice': 'merge', textContent: t('conflict.merge'), onclick: choose('merge') }),
    h('button', { type: 'button', 'data-choice': 'reload', textContent: t('conflict.reload'), onclick: choose('reload') }),
  ];
  element.append(...buttons);
  return {
    element,
    show: (version, detail) => {
      current = version;
      message.textContent = detail || t('conflict.message', { number: version?.number ?? 0 });
      element.hidden = false;
    },
    hide: () => {
      element.hidden = true;
    },
  };
}
