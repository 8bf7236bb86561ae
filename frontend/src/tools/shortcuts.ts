/**
 * Keyboard shortcuts of the viewer: one table maps keys to actions, and the help panel lists the
 * same table, so the two cannot drift apart.
 */

import type { Orientation } from '../viewer/geometry';
import type { ToolKey } from './toolGroups';

/** The action of a shortcut. */
export type ShortcutAction =
  | { kind: 'tool'; tool: ToolKey }
  | { kind: 'region'; index: number }
  | { kind: 'scroll'; slices: number }
  | { kind: 'orientation'; orientation: Orientation }
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'save' }
  | { kind: 'interpolate' }
  | { kind: 'brushRadius'; factor: number }
  | { kind: 'brushShape' }
  | { kind: 'toggleOutline' }
  | { kind: 'toggleRegionVisibility' }
  | { kind: 'windowPresetNext' }
  | { kind: 'enlarge' }
  | { kind: 'escape' }
  | { kind: 'help' };

/** The parts of a KeyboardEvent that shortcuts read. */
export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
}

/** A documented shortcut: the keys as shown to the user, the action, and its help text id. */
export interface Shortcut {
  keys: string;
  help: string;
}

const TOOL_KEYS: Record<string, ToolKey> = {
  v: 'cursor',
  b: 'brush',
  e: 'eraser',
  t: 'threshold',
  f: 'fill',
  d: 'contour',
  D: 'contourErase',
  w: 'windowLevel',
  z: 'zoom',
  p: 'pan',
  c: 'comment',
};

const ORIENTATION_KEYS: Record<string, Orientation> = { A: 'axial', S: 'sagittal', C: 'coronal' };

/** Return the action of a key press, or null when the key is not a shortcut. */
export function actionForKey(press: KeyPress): ShortcutAction | null {
  const command = Boolean(press.ctrlKey || press.metaKey);
  if (command) {
    return commandAction(press);
  }
  if (press.altKey) {
    return null;
  }
  const key = press.key;
  if (key in TOOL_KEYS) {
    return { kind: 'tool', tool: TOOL_KEYS[key] };
  }
  if (key in ORIENTATION_KEYS) {
    return { kind: 'orientation', orientation: ORIENTATION_KEYS[key] };
  }
  if (/^[1-9]$/.test(key)) {
    return { kind: 'region', index: Number(key) - 1 };
  }
  return plainAction(key);
}

function commandAction(press: KeyPress): ShortcutAction | null {
  const key = press.key.toLowerCase();
  if (key === 'z') {
    return press.shiftKey ? { kind: 'redo' } : { kind: 'undo' };
  }
  if (key === 'y') {
    return { kind: 'redo' };
  }
  if (key === 's') {
    return { kind: 'save' };
  }
  return null;
}

function plainAction(key: string): ShortcutAction | null {
  switch (key) {
    case 'ArrowUp':
      return { kind: 'scroll', slices: 1 };
    case 'ArrowDown':
      return { kind: 'scroll', slices: -1 };
    case 'PageUp':
      return { kind: 'scroll', slices: 10 };
    case 'PageDown':
      return { kind: 'scroll', slices: -10 };
    case 'i':
      return { kind: 'interpolate' };
    case '[':
      return { kind: 'brushRadius', factor: 1 / 1.25 };
    case ']':
      return { kind: 'brushRadius', factor: 1.25 };
    case 'B':
      return { kind: 'brushShape' };
    case 'o':
      return { kind: 'toggleOutline' };
    case 'h':
      return { kind: 'toggleRegionVisibility' };
    case 'l':
      return { kind: 'windowPresetNext' };
    case 'm':
      return { kind: 'enlarge' };
    case 'Escape':
      return { kind: 'escape' };
    case '?':
      return { kind: 'help' };
    default:
      return null;
  }
}

/** The shortcuts as the help panel lists them; `help` is a message id of the catalogues. */
export const SHORTCUT_HELP: Shortcut[] = [
  { keys: '↑ / ↓', help: 'help.scroll' },
  { keys: 'PgUp / PgDn', help: 'help.scrollFast' },
  { keys: '1 / 2 / 3', help: 'help.region' },
  { keys: 'V', help: 'help.cursor' },
  { keys: 'B', help: 'help.brush' },
  { keys: 'E', help: 'help.eraser' },
  { keys: 'T', help: 'help.threshold' },
  { keys: 'F', help: 'help.fill' },
  { keys: 'D / Shift+D', help: 'help.contour' },
  { keys: 'I', help: 'help.interpolate' },
  { keys: '[ / ]', help: 'help.brushRadius' },
  { keys: 'Shift+B', help: 'help.brushShape' },
  { keys: 'W / Z / P', help: 'help.navigationTools' },
  { keys: 'C', help: 'help.comment' },
  { keys: 'Shift+A / Shift+S / Shift+C', help: 'help.orientation' },
  { keys: 'L', help: 'help.windowPreset' },
  { keys: 'O', help: 'help.outline' },
  { keys: 'H', help: 'help.hideRegion' },
  { keys: 'M', help: 'help.enlarge' },
  { keys: 'Ctrl+Z', help: 'help.undo' },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', help: 'help.redo' },
  { keys: 'Ctrl+S', help: 'help.save' },
  { keys: '?', help: 'help.help' },
  { keys: 'Shift+click', help: 'help.placeCursor' },
  { keys: 'Right drag', help: 'help.windowDrag' },
  { keys: 'Middle drag', help: 'help.panDrag' },
  { keys: 'Wheel / Ctrl+wheel', help: 'help.wheel' },
];
