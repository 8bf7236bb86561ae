/** The page layout of the viewer: the bar on top, tools on the left, viewports, panels on the right. */

import { t } from '../i18n';
import { h } from './dom';
import { Toasts } from './toasts';

export interface ViewerShell {
  root: HTMLElement;
  bar: HTMLElement;
  tools: HTMLElement;
  viewports: HTMLElement;
  side: HTMLElement;
  toasts: Toasts;
  loading: HTMLElement;
}

/** Build the empty layout inside `mount`. */
export function buildViewerShell(mount: HTMLElement): ViewerShell {
  const toasts = new Toasts();
  const loading = h('div', { class: 'viewer-loading', 'data-testid': 'viewer-loading', role: 'status' }, t('viewer.loading'));
  const shell: ViewerShell = {
    root: h('div', { class: 'annotator' }),
    bar: h('div', { class: 'annotator-bar' }),
    tools: h('aside', { class: 'annotator-tools' }),
    viewports: h('div', { class: 'annotator-viewports' }),
    side: h('aside', { class: 'annotator-side' }),
    toasts,
    loading,
  };
  shell.viewports.append(loading);
  shell.root.append(shell.bar, shell.tools, shell.viewports, shell.side, toasts.root);
  mount.replaceChildren(shell.root);
  return shell;
}
