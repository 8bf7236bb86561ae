/**
 * The tool panel: the tool for the left mouse button, brush radius and shape, the threshold
 * brush's intensity range for the active region's sequence, and slice interpolation.
 */

import { t, type MessageId } from '../i18n';
import type { ViewerCommands } from '../state/commands';
import type { Store } from '../state/store';
import type { ToolKey } from '../tools/toolGroups';
import { formatNumber, h } from './dom';

const TOOLS: Array<{ tool: ToolKey; key: string }> = [
  { tool: 'cursor', key: 'V' },
  { tool: 'brush', key: 'B' },
  { tool: 'eraser', key: 'E' },
  { tool: 'threshold', key: 'T' },
  { tool: 'fill', key: 'F' },
  { tool: 'contour', key: 'D' },
  { tool: 'contourErase', key: 'Shift+D' },
  { tool: 'windowLevel', key: 'W' },
  { tool: 'zoom', key: 'Z' },
  { tool: 'pan', key: 'P' },
  { tool: 'comment', key: 'C' },
];

/** Build the panel. `sequenceOfRegion` returns the sequence whose threshold range is shown. */
export function buildToolPanel(store: Store, commands: ViewerCommands, sequenceOfRegion: (region: string) => string): HTMLElement {
  const toolButtons = TOOLS.map(({ tool, key }) =>
    h('button', {
      type: 'button',
      class: 'tool-button',
      'data-tool': tool,
      title: `${t(`tool.${tool}.help` as MessageId)} (${key})`,
      textContent: t(`tool.${tool}` as MessageId),
      onclick: () => commands.selectTool(tool),
    }),
  );

  const radius = h('input', { type: 'range', min: '0.5', max: '30', step: '0.5', 'data-testid': 'brush-radius' });
  const radiusValue = h('output', {});
  radius.addEventListener('input', () => commands.setBrush({ ...store.state.brush, radiusMm: Number(radius.value) }));
  const sphere = h('input', { type: 'checkbox', 'data-testid': 'brush-sphere' });
  sphere.addEventListener('change', () => commands.setBrush({ ...store.state.brush, shape: sphere.checked ? 'sphere' : 'circle' }));

  const lower = h('input', { type: 'number', step: 'any', 'data-testid': 'threshold-lower' });
  const upper = h('input', { type: 'number', step: 'any', 'data-testid': 'threshold-upper' });
  const thresholdSequence = h('span', { class: 'muted' });
  const onThreshold = (): void => commands.setThreshold(sequenceOfRegion(store.state.activeRegion), Number(lower.value), Number(upper.value));
  lower.addEventListener('change', onThreshold);
  upper.addEventListener('change', onThreshold);

  // Brush, threshold and interpolation settings matter only to someone who paints.
  const paintingSettings = h(
    'div',
    { class: 'painting-settings' },
    h('h3', {}, t('brush.heading')),
    h('label', {}, t('brush.radius'), radius, radiusValue),
    h('label', { class: 'check' }, sphere, t('brush.sphere')),
    h('h3', {}, t('threshold.heading')),
    thresholdSequence,
    h('div', { class: 'range-inputs' }, h('label', {}, t('threshold.lower'), lower), h('label', {}, t('threshold.upper'), upper)),
    h('h3', {}, t('interpolate.heading')),
    h('button', { type: 'button', 'data-testid': 'interpolate', textContent: t('interpolate.run'), onclick: () => commands.interpolateActiveRegion() }),
    h('p', { class: 'muted small' }, t('interpolate.help')),
  );
  const panel = h('div', { class: 'tool-panel' }, h('h2', {}, t('tool.heading')), h('div', { class: 'tool-grid' }, ...toolButtons), paintingSettings);
  const render = (): void => {
    const state = store.state;
    toolButtons.forEach((button) => {
      const tool = button.dataset.tool as ToolKey;
      button.classList.toggle('selected', tool === state.tool);
      button.disabled = state.readOnly || state.preview !== null ? isPainting(tool) : false;
      button.hidden = tool === 'comment' ? state.workflowMode !== 'review' : state.workflowMode === 'review' && isPainting(tool);
    });
    paintingSettings.hidden = state.workflowMode !== 'annotate';
    radius.value = String(state.brush.radiusMm);
    radiusValue.textContent = `${formatNumber(state.brush.radiusMm, 1)} mm`;
    sphere.checked = state.brush.shape === 'sphere';
    const sequence = sequenceOfRegion(state.activeRegion);
    thresholdSequence.textContent = t('threshold.sequence', { sequence });
    const range = state.thresholds[sequence];
    if (range && document.activeElement !== lower && document.activeElement !== upper) {
      lower.value = String(Math.round(range.lower));
      upper.value = String(Math.round(range.upper));
    }
  };
  store.subscribe(render);
  render();
  return panel;
}

function isPainting(tool: ToolKey): boolean {
  return !['cursor', 'windowLevel', 'zoom', 'pan', 'comment'].includes(tool);
}
