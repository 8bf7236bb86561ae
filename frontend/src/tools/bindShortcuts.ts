/** Keyboard handling of the viewer page: turns shortcut actions into viewer commands. */

import type { Store } from '../state/store';
import type { AnnotationViewer } from '../viewer/annotationViewer';
import { WINDOW_PRESETS, type WindowPresetKey } from '../viewer/windowPresets';
import { actionForKey, type ShortcutAction } from './shortcuts';

/** Listen for shortcuts on the document; keys typed into form fields and dialogs are left alone. */
export function bindShortcuts(viewer: AnnotationViewer, store: Store, drawnRegions: string[], onHelp: () => void): void {
  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, textarea, select, [contenteditable], dialog')) {
      return;
    }
    const action = actionForKey(event);
    if (!action) {
      return;
    }
    event.preventDefault();
    run(action, viewer, store, drawnRegions, onHelp);
  });
}

function run(action: ShortcutAction, viewer: AnnotationViewer, store: Store, drawnRegions: string[], onHelp: () => void): void {
  const state = store.state;
  switch (action.kind) {
    case 'tool':
      return viewer.selectTool(action.tool);
    case 'region':
      if (action.index < drawnRegions.length) {
        viewer.selectRegion(drawnRegions[action.index]);
      }
      return;
    case 'scroll':
      return viewer.scrollFocused(action.slices);
    case 'orientation':
      return viewer.setOrientation(action.orientation);
    case 'undo':
      return viewer.undo();
    case 'redo':
      return viewer.redo();
    case 'save':
      return viewer.saveNow();
    case 'interpolate':
      return viewer.interpolateActiveRegion();
    case 'brushRadius':
      return viewer.setBrush({ ...state.brush, radiusMm: state.brush.radiusMm * action.factor });
    case 'brushShape':
      return viewer.setBrush({ ...state.brush, shape: state.brush.shape === 'circle' ? 'sphere' : 'circle' });
    case 'toggleOutline':
      return viewer.setOutlineOnly(!state.outlineOnly);
    case 'toggleRegionVisibility':
      return viewer.setAppearance(state.activeRegion, { visible: !(state.appearance[state.activeRegion]?.visible ?? true) });
    case 'windowPresetNext':
      return viewer.applyWindowPreset(nextPreset(state.windowPreset));
    case 'enlarge':
      return viewer.toggleEnlarged();
    case 'escape':
      return viewer.setEnlarged(null);
    case 'help':
      return onHelp();
  }
}

function nextPreset(current: WindowPresetKey): WindowPresetKey {
  const keys = Object.keys(WINDOW_PRESETS) as WindowPresetKey[];
  return keys[(keys.indexOf(current) + 1) % keys.length];
}
