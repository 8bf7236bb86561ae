/** Keyboard handling of the viewer page: turns shortcut actions into viewer commands. */

import type { Store } from '../state/store';
import type { AnnotationViewer } from '../viewer/annotationViewer';
import { WINDOW_PRESETS, type WindowPresetKey } from '../viewer/windowPresets';
import { actionForKey, controlOwnsKey, type FocusedControl, type ShortcutAction } from './shortcuts';

/** Listen for shortcuts on the document. Keys that the focused form field or dialog uses are left to it. */
export function bindShortcuts(viewer: AnnotationViewer, store: Store, drawnRegions: string[], onHelp: () => void): void {
  document.addEventListener('keydown', (event) => {
    if (controlOwnsKey(describeFocus(event.target), event)) {
      return;
    }
    const action = actionForKey(event);
    if (!action) {
      return;
    }
    event.preventDefault();
    run(action, viewer, store, drawnRegions, onHelp);
  });
  releaseFocusAfterChoice();
}

/**
 * Move the focus off a select once a value is chosen, and off a slider once the mouse lets go.
 * Otherwise the next number key or arrow meant as a shortcut silently changes the choice, such as
 * an image quality grade that is then sent to the server.
 */
function releaseFocusAfterChoice(): void {
  document.addEventListener('change', (event) => {
    const target = event.target;
    if (target instanceof HTMLSelectElement && !target.closest('dialog')) {
      target.blur();
    }
  });
  document.addEventListener('pointerup', () => {
    const focused = document.activeElement;
    if (focused instanceof HTMLInputElement && focused.type === 'range') {
      focused.blur();
    }
  });
}

function describeFocus(target: EventTarget | null): FocusedControl | null {
  if (!(target instanceof HTMLElement)) {
    return null;
  }
  return {
    tag: target.tagName,
    type: target instanceof HTMLInputElement ? target.type : undefined,
    editable: target.isContentEditable,
    inDialog: target.closest('dialog') !== null,
  };
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
