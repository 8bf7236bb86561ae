/**
 * The figures panel: what the server computed from the last saved version. It lists volumes per
 * region in cm3, the lesions with their volumes, nesting violations and empty required regions.
 * A click on a lesion or violation moves every viewport to it.
 */

import { t } from '../i18n';
import type { ViewerCommands } from '../state/commands';
import type { SaveStatus, Store } from '../state/store';
import type { Region } from '../viewer/config';
import { formatNumber, h } from './dom';

/**
 * Return whether the mask on screen may differ from the version the figures come from: edits
 * not yet stored, unless the user previews an earlier version. A read-only case has no edits.
 */
export function figuresMayBeStale(saveStatus: SaveStatus, previewing: boolean): boolean {
  return !previewing && saveStatus !== 'saved' && saveStatus !== 'readonly';
}

export function buildFiguresPanel(regions: Region[], store: Store, commands: ViewerCommands): HTMLElement {
  const body = h('div', { class: 'figures-body' });
  const caption = h('p', { class: 'muted small', 'data-testid': 'figures-caption' });
  const panel = h('section', { class: 'panel figures-panel', 'data-testid': 'figures' }, h('h2', {}, t('figures.heading')), caption, body);
  const names = new Map(regions.map((region) => [region.key, region]));
  const render = (): void => {
    const { figures, figuresVersion, saveStatus, preview } = store.state;
    if (!figures || figuresVersion === null) {
      caption.textContent = t('figures.none');
      body.replaceChildren();
      return;
    }
    const stale = figuresMayBeStale(saveStatus, preview !== null);
    caption.textContent = t(stale ? 'figures.asOfStale' : 'figures.asOf', { number: figuresVersion });
    body.replaceChildren(
      volumeTable(regions, figures.regions ?? {}),
      lesionList(figures.lesions ?? [], commands),
      violationList(figures.violations ?? [], names, commands),
      emptyList(figures.empty_required ?? [], names),
    );
  };
  store.subscribe((_, changed) => {
    if (changed.has('figures') || changed.has('figuresVersion') || changed.has('saveStatus') || changed.has('preview')) {
      render();
    }
  });
  render();
  return panel;
}

function volumeTable(regions: Region[], volumes: Record<string, { voxels: number; volume_cm3: number }>): HTMLElement {
  return h(
    'table',
    { class: 'volume-table' },
    h('thead', {}, h('tr', {}, h('th', {}, t('figures.region')), h('th', {}, t('figures.volume')), h('th', {}, t('figures.voxels')))),
    h(
      'tbody',
      {},
      ...regions.map((region) => {
        const figure = volumes[region.key] ?? { voxels: 0, volume_cm3: 0 };
        return h(
          'tr',
          { 'data-region': region.key },
          h('td', {}, h('span', { class: 'swatch', style: `--region-color: ${region.color}` }), region.key),
          h('td', { class: 'number' }, formatNumber(figure.volume_cm3, 2)),
          h('td', { class: 'number' }, formatNumber(figure.voxels, 0)),
        );
      }),
    ),
  );
}

function lesionList(lesions: NonNullable<import('../viewer/config').Figures['lesions']>, commands: ViewerCommands): HTMLElement {
  return h(
    'div',
    { class: 'lesions' },
    h('h3', {}, t('figures.lesions', { count: lesions.length })),
    h(
      'ul',
      { class: 'jump-list' },
      ...lesions.map((lesion) =>
        h(
          'li',
          {},
          h('button', {
            type: 'button',
            class: 'link-button',
            'data-lesion': String(lesion.index),
            textContent: t('figures.lesion', { index: lesion.index, volume: formatNumber(lesion.volume_cm3, 2) }),
            onclick: () => commands.jumpToVoxel(lesion.centroid_ijk),
          }),
        ),
      ),
    ),
  );
}

function violationList(
  violations: NonNullable<import('../viewer/config').Figures['violations']>,
  names: Map<string, Region>,
  commands: ViewerCommands,
): HTMLElement {
  if (violations.length === 0) {
    return h('p', { class: 'ok small' }, t('figures.noViolations'));
  }
  return h(
    'div',
    { class: 'violations' },
    h('h3', {}, t('figures.violations')),
    h(
      'ul',
      { class: 'jump-list' },
      ...violations.map((violation) =>
        h(
          'li',
          { class: 'warning' },
          h('button', {
            type: 'button',
            class: 'link-button',
            'data-violation': violation.key,
            textContent: t('figures.violation', {
              region: names.get(violation.region)?.key ?? violation.region,
              container: names.get(violation.container)?.key ?? violation.container,
              voxels: formatNumber(violation.voxels, 0),
            }),
            onclick: () => commands.jumpToVoxel(violation.example_ijk),
          }),
        ),
      ),
    ),
  );
}

function emptyList(empty: string[], names: Map<string, Region>): HTMLElement | string {
  if (empty.length === 0) {
    return '';
  }
  return h('p', { class: 'warning small' }, t('figures.emptyRequired', { regions: empty.map((key) => names.get(key)?.name ?? key).join(', ') }));
}
