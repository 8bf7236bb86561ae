/**
 * The region panel lists every region of the protocol with its colour, the sequence it is drawn
 * on (or the formula of a derived one), its visibility and opacity, and which one the brushes
 * paint. Below the list are the filled or outline display and the reasons recorded for painting
 * on another sequence.
 */

import { t } from '../i18n';
import type { ViewerCommands } from '../state/commands';
import type { Store } from '../state/store';
import { isDrawn, type Region } from '../viewer/config';
import { formatNumber, h } from './dom';

const OPERATOR_SYMBOLS: Record<string, string> = { difference: '−', union: '∪', intersection: '∩', region: '' };

export function buildRegionPanel(regions: Region[], store: Store, commands: ViewerCommands): HTMLElement {
  const rows = regions.map((region, index) => regionRow(region, index, store, commands));
  const outline = h('input', { type: 'checkbox', 'data-testid': 'outline-only' });
  outline.addEventListener('change', () => commands.setOutlineOnly(outline.checked));
  const overrides = h('ul', { class: 'override-list', 'data-testid': 'overrides' });
  const panel = h(
    'section',
    { class: 'panel region-panel', 'aria-labelledby': 'regions-heading' },
    h('h2', { id: 'regions-heading' }, t('regions.heading')),
    h('ul', { class: 'region-list' }, ...rows.map((row) => row.element)),
    h('label', { class: 'check' }, outline, t('regions.outlineOnly')),
    overrides,
  );
  const render = (): void => {
    const state = store.state;
    rows.forEach((row) => row.render());
    outline.checked = state.outlineOnly;
    overrides.replaceChildren(
      ...state.overrides.map((item) => h('li', {}, t('regions.override', { region: item.region, sequence: item.sequence, reason: item.reason }))),
    );
  };
  store.subscribe(render);
  render();
  return panel;
}

function regionRow(region: Region, index: number, store: Store, commands: ViewerCommands): { element: HTMLElement; render: () => void } {
  const drawn = isDrawn(region);
  const active = h('input', { type: 'radio', name: 'active-region', value: region.key, disabled: !drawn, 'aria-label': t('regions.paint', { region: region.name }) });
  // Focus leaves the controls at once, so arrow keys go on scrolling slices.
  active.addEventListener('change', () => {
    commands.selectRegion(region.key);
    active.blur();
  });
  const visible = h('input', { type: 'checkbox', 'aria-label': t('regions.visible', { region: region.name }) });
  visible.addEventListener('change', () => {
    commands.setAppearance(region.key, { visible: visible.checked });
    visible.blur();
  });
  const opacity = h('input', { type: 'range', min: '0', max: '1', step: '0.05', 'aria-label': t('regions.opacity', { region: region.name }) });
  opacity.addEventListener('input', () => commands.setAppearance(region.key, { opacity: Number(opacity.value) }));
  const detail = drawn
    ? t('regions.drawnOn', { sequence: region.drawn_on, key: String(index + 1) })
    : t('regions.derived', { formula: region.derived.of.join(` ${OPERATOR_SYMBOLS[region.derived.op] ?? region.derived.op} `) });
  const element = h(
    'li',
    { class: 'region-row', 'data-region': region.key, title: region.description ?? '' },
    active,
    h('span', { class: 'swatch', style: `--region-color: ${region.color}` }),
    h('span', { class: 'region-name' }, h('strong', {}, region.key), ' ', region.name, h('small', {}, detail)),
    visible,
    opacity,
  );
  return {
    element,
    render: () => {
      const state = store.state;
      const appearance = state.appearance[region.key];
      active.checked = state.activeRegion === region.key;
      element.classList.toggle('active', active.checked);
      visible.checked = appearance?.visible ?? true;
      opacity.value = String(appearance?.opacity ?? 0.4);
      opacity.title = formatNumber(Number(opacity.value), 2);
    },
  };
}
