/**
 * The bar above the viewports: the case, orientation, layout, window presets, undo and redo,
 * the save indicator with a save button, and the help button.
 */

import { t, type MessageId } from '../i18n';
import type { ViewerCommands } from '../state/commands';
import type { SaveStatus, Store } from '../state/store';
import type { Orientation } from '../viewer/geometry';
import { WINDOW_PRESETS, type WindowPresetKey } from '../viewer/windowPresets';
import { h } from './dom';

const ORIENTATIONS: Orientation[] = ['axial', 'sagittal', 'coronal'];

const STATUS_TEXT: Record<SaveStatus, MessageId> = {
  saved: 'save.saved',
  unsaved: 'save.unsaved',
  saving: 'save.saving',
  conflict: 'save.conflict',
  offline: 'save.offline',
  failed: 'save.failed',
  readonly: 'save.readonly',
};

/** Build the bar; `onToggleLayout` switches between 2x2 and 1x1, `onHelp` opens the help. */
export function buildTopBar(
  caseLabel: string,
  store: Store,
  commands: ViewerCommands,
  onToggleLayout: () => void,
  onHelp: () => void,
): HTMLElement {
  const orientationButtons = ORIENTATIONS.map((orientation) =>
    h('button', {
      type: 'button',
      'data-orientation': orientation,
      textContent: t(`orientation.${orientation}` as MessageId),
      onclick: () => commands.setOrientation(orientation),
    }),
  );
  const presets = h(
    'select',
    { 'aria-label': t('window.preset'), 'data-testid': 'window-preset', onchange: (event: Event) => commands.applyWindowPreset((event.target as HTMLSelectElement).value as WindowPresetKey) },
    ...Object.keys(WINDOW_PRESETS).map((key) => h('option', { value: key, textContent: t(`window.${key}` as MessageId) })),
  );
  const status = h('span', { class: 'save-status', 'data-testid': 'save-status', role: 'status' });
  const saveButton = h('button', { type: 'button', textContent: t('save.now'), onclick: () => commands.saveNow() });
  const undoButton = h('button', { type: 'button', 'data-testid': 'undo', textContent: t('edit.undo'), title: 'Ctrl+Z', onclick: () => commands.undo() });
  const redoButton = h('button', { type: 'button', 'data-testid': 'redo', textContent: t('edit.redo'), title: 'Ctrl+Shift+Z', onclick: () => commands.redo() });
  const bar = h(
    'div',
    { class: 'viewer-bar' },
    h('strong', { class: 'case-label' }, caseLabel),
    h('div', { class: 'button-group', role: 'group', 'aria-label': t('orientation.label') }, ...orientationButtons),
    h('button', { type: 'button', 'data-testid': 'layout-toggle', textContent: t('layout.toggle'), onclick: onToggleLayout }),
    h('label', { class: 'inline-label' }, t('window.preset'), presets),
    undoButton,
    redoButton,
    h('span', { class: 'spacer' }),
    status,
    saveButton,
    h('button', { type: 'button', class: 'help-button', textContent: '?', title: t('help.title'), onclick: onHelp }),
  );
  const render = (): void => {
    const state = store.state;
    orientationButtons.forEach((button) => button.classList.toggle('selected', button.dataset.orientation === state.orientation));
    presets.value = state.windowPreset;
    const nothingSaved = state.saveStatus === 'saved' && state.baseVersion === null;
    status.textContent = nothingSaved ? t('save.nothingYet') : t(STATUS_TEXT[state.saveStatus], { number: state.baseVersion?.number ?? 0 });
    status.dataset.status = state.saveStatus;
    saveButton.disabled = state.readOnly || state.preview !== null;
    // Nothing can be edited in a read-only case, so there is nothing to undo either.
    undoButton.disabled = state.readOnly;
    redoButton.disabled = state.readOnly;
  };
  store.subscribe(render);
  render();
  return bar;
}
