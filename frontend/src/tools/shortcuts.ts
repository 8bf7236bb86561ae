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

/**
 * A documented shortcut: the keys as printed on the keyboard, or for a mouse gesture the message
 * id of its translated name, and the message id of its help text.
 */
export interface Shortcut {
  keys?: string;
  gesture?: string;
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
  { gesture: 'help.gesture.shiftClick', help: 'help.placeCursor' },
  { gesture: 'help.gesture.rightDrag', help: 'help.windowDrag' },
  { gesture: 'help.gesture.middleDrag', help: 'help.panDrag' },
  { gesture: 'help.gesture.wheel', help: 'help.wheel' },
];

/** The focused element as far as shortcuts care: its tag, its `type` for inputs, and editability. */
export interface FocusedControl {
  tag: string;
  type?: string;
  editable?: boolean;
  inDialog?: boolean;
}

// Inputs that take no text. Sliders and radio buttons use the arrow and page keys themselves; any
// other key on them stays a shortcut, so that undo, saving and the tool keys still work after a
// click on a checkbox or a drag of a slider.
const NAVIGATION_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', 'Home', 'End']);
const INPUTS_WITHOUT_TEXT: Record<string, Set<string>> = {
  range: NAVIGATION_KEYS,
  radio: NAVIGATION_KEYS,
  checkbox: new Set(),
  button: new Set(),
  submit: new Set(),
  reset: new Set(),
  color: new Set(),
  file: new Set(),
};

/**
 * Return whether the focused control handles the key itself, so no shortcut runs: every key
 * typed into a text field, a select or a dialog, and the arrow and page keys of a slider or a
 * radio button.
 */
export function controlOwnsKey(control: FocusedControl | null, press: KeyPress): boolean {
  if (!control) {
    return false;
  }
  const tag = control.tag.toLowerCase();
  if (control.editable || control.inDialog || tag === 'textarea' || tag === 'select') {
    return true;
  }
  if (tag !== 'input') {
    return false;
  }
  const ownKeys = INPUTS_WITHOUT_TEXT[(control.type ?? 'text').toLowerCase()];
  return ownKeys ? ownKeys.has(press.key) : true;
}
