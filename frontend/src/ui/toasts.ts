/** Short messages at the bottom of the viewer, optionally with one action button. */

import { h } from './dom';

export class Toasts {
  readonly root = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });

  /** Show a message; `level` colours it; it disappears after `durationMs` unless 0. */
  show(message: string, level: 'info' | 'warning' | 'error' = 'info', action?: { label: string; run: () => void }, durationMs = 6000): void {
    const toast = h('div', { class: `toast ${level}` }, h('span', {}, message));
    if (action) {
      toast.append(
        h('button', {
          type: 'button',
          textContent: action.label,
          onclick: () => {
            toast.remove();
            action.run();
          },
        }),
      );
    }
    toast.append(h('button', { type: 'button', class: 'toast-close', textContent: '×', 'aria-label': 'close', onclick: () => toast.remove() }));
    this.root.append(toast);
    if (durationMs > 0) {
      window.setTimeout(() => toast.remove(), durationMs);
    }
  }
}
