/**
 * The version history: every saved version of the case, newest first, each of which can be
 * opened read-only and restored (a restore saves a copy of it as the newest version).
 */

import { t } from '../i18n';
import type { ViewerCommands } from '../state/commands';
import type { Store } from '../state/store';
import type { MaskVersion } from '../viewer/config';
import { h } from './dom';

export interface HistoryPanel {
  element: HTMLElement;
  /** Reload the list from the server. */
  refresh(): Promise<void>;
}

export function buildHistoryPanel(store: Store, commands: ViewerCommands, onError: (message: string) => void): HistoryPanel {
  const list = h('ol', { class: 'version-list', 'data-testid': 'versions' });
  const previewBar = h('div', { class: 'preview-bar', hidden: true });
  const element = h(
    'section',
    { class: 'panel history-panel' },
    h('h2', {}, t('history.heading')),
    previewBar,
    list,
  );
  let versions: MaskVersion[] = [];
  const render = (): void => {
    const { preview, baseVersion, readOnly } = store.state;
    previewBar.hidden = preview === null;
    previewBar.replaceChildren();
    if (preview) {
      previewBar.append(
        h('span', {}, t('history.previewing', { number: preview.number })),
        h('button', { type: 'button', textContent: t('history.back'), onclick: () => commands.closePreview() }),
        readOnly ? '' : h('button', { type: 'button', class: 'primary', textContent: t('history.restore'), onclick: () => void commands.restoreVersion(preview) }),
      );
    }
    list.replaceChildren(...versions.map((version) => versionRow(version, version.id === baseVersion?.id, preview?.id === version.id, readOnly, commands)));
    if (versions.length === 0) {
      list.append(h('li', { class: 'muted' }, t('history.none')));
    }
  };
  store.subscribe((_, changed) => {
    if (changed.has('preview') || changed.has('baseVersion') || changed.has('readOnly')) {
      render();
    }
  });
  let latestRequest = 0;
  const refresh = async (): Promise<void> => {
    const request = ++latestRequest;
    try {
      const listed = await commands.listVersions();
      // Two saves in a row start two refreshes, and only the later response is current.
      if (request !== latestRequest) {
        return;
      }
      versions = listed;
      render();
    } catch (error) {
      onError(t('history.loadFailed', { error: String(error) }));
    }
  };
  return { element, refresh };
}

function versionRow(version: MaskVersion, current: boolean, previewed: boolean, readOnly: boolean, commands: ViewerCommands): HTMLElement {
  const when = new Date(version.created_at).toLocaleString(document.documentElement.lang || 'en');
  const restored = version.restored_from ? t('history.restoredFrom', { id: version.restored_from }) : '';
  let rowClass = '';
  if (current) {
    rowClass = 'current';
  } else if (previewed) {
    rowClass = 'previewed';
  }
  return h(
    'li',
    { class: rowClass, 'data-version': String(version.number) },
    h('span', { class: 'version-title' }, t('history.version', { number: version.number }), current ? h('em', {}, ` ${t('history.current')}`) : ''),
    h('small', {}, `${version.author ?? '—'} · ${when} ${restored}`),
    h(
      'span',
      { class: 'version-actions' },
      current ? '' : h('button', { type: 'button', class: 'link-button', textContent: t('history.open'), onclick: () => void commands.openPreview(version) }),
      current || readOnly ? '' : h('button', { type: 'button', class: 'link-button', textContent: t('history.restore'), onclick: () => void commands.restoreVersion(version) }),
    ),
  );
}
