import { describe, expect, it } from 'vitest';
import en from '../i18n/en.json';
import zhHans from '../i18n/zh-Hans.json';
import { actionForKey, controlOwnsKey, SHORTCUT_HELP } from './shortcuts';

describe('actionForKey', () => {
  it('maps undo and both redo chords', () => {
    expect(actionForKey({ key: 'z', ctrlKey: true })).toEqual({ kind: 'undo' });
    expect(actionForKey({ key: 'Z', ctrlKey: true, shiftKey: true })).toEqual({ kind: 'redo' });
    expect(actionForKey({ key: 'y', ctrlKey: true })).toEqual({ kind: 'redo' });
    expect(actionForKey({ key: 'z', metaKey: true })).toEqual({ kind: 'undo' });
  });

  it('maps number keys to regions in protocol order', () => {
    expect(actionForKey({ key: '1' })).toEqual({ kind: 'region', index: 0 });
    expect(actionForKey({ key: '3' })).toEqual({ kind: 'region', index: 2 });
  });

  it('maps arrows and page keys to slice steps', () => {
    expect(actionForKey({ key: 'ArrowUp' })).toEqual({ kind: 'scroll', slices: 1 });
    expect(actionForKey({ key: 'PageDown' })).toEqual({ kind: 'scroll', slices: -10 });
  });

  it('tells the contour tool from the contour eraser by Shift', () => {
    expect(actionForKey({ key: 'd' })).toEqual({ kind: 'tool', tool: 'contour' });
    expect(actionForKey({ key: 'D', shiftKey: true })).toEqual({ kind: 'tool', tool: 'contourErase' });
  });

  it('tells the comment tool from the coronal view by Shift', () => {
    expect(actionForKey({ key: 'c' })).toEqual({ kind: 'tool', tool: 'comment' });
    expect(actionForKey({ key: 'C', shiftKey: true })).toEqual({ kind: 'orientation', orientation: 'coronal' });
  });

  it('switches orientation with Shift and the initial', () => {
    expect(actionForKey({ key: 'S', shiftKey: true })).toEqual({ kind: 'orientation', orientation: 'sagittal' });
  });

  it('ignores keys with Alt and unknown keys', () => {
    expect(actionForKey({ key: 'b', altKey: true })).toBeNull();
    expect(actionForKey({ key: 'q' })).toBeNull();
    expect(actionForKey({ key: 'q', ctrlKey: true })).toBeNull();
  });
});

describe('SHORTCUT_HELP', () => {
  it('documents every key family the handler knows', () => {
    const keys = SHORTCUT_HELP.map((item) => item.keys).join(' ');
    for (const documented of ['Ctrl+Z', 'Ctrl+Y', 'PgUp', '1 / 2 / 3', 'Shift+B', '?']) {
      expect(keys).toContain(documented);
    }
  });
});

describe('SHORTCUT_HELP messages', () => {
  it('names mouse gestures through the catalogues', () => {
    const gestures = SHORTCUT_HELP.filter((item) => item.gesture);
    expect(gestures.length).toBeGreaterThan(0);
    for (const item of gestures) {
      expect(item.keys).toBeUndefined();
    }
  });

  it('has every message id in English and Chinese', () => {
    const ids = SHORTCUT_HELP.flatMap((item) => [item.help, item.gesture ?? item.help]);
    for (const id of ids) {
      expect(Object.keys(en)).toContain(id);
      expect(Object.keys(zhHans)).toContain(id);
    }
  });

  it('translates the gesture names into Chinese', () => {
    const catalogue: Record<string, string> = zhHans;
    for (const item of SHORTCUT_HELP.filter((entry) => entry.gesture)) {
      expect(catalogue[item.gesture as string]).not.toMatch(/click|drag|wheel/i);
    }
  });
});

describe('controlOwnsKey', () => {
  it('runs shortcuts when nothing is focused', () => {
    expect(controlOwnsKey(null, { key: 'z', ctrlKey: true })).toBe(false);
    expect(controlOwnsKey({ tag: 'DIV' }, { key: 'ArrowUp' })).toBe(false);
  });

  it('leaves every key to text fields, selects and dialogs', () => {
    expect(controlOwnsKey({ tag: 'INPUT', type: 'number' }, { key: '1' })).toBe(true);
    expect(controlOwnsKey({ tag: 'INPUT', type: 'text' }, { key: 'z', ctrlKey: true })).toBe(true);
    expect(controlOwnsKey({ tag: 'TEXTAREA' }, { key: 'b' })).toBe(true);
    expect(controlOwnsKey({ tag: 'SELECT' }, { key: 'ArrowDown' })).toBe(true);
    expect(controlOwnsKey({ tag: 'DIV', editable: true }, { key: 'b' })).toBe(true);
    expect(controlOwnsKey({ tag: 'BUTTON', inDialog: true }, { key: 'b' })).toBe(true);
  });

  it('keeps undo and tool keys on a focused slider', () => {
    const slider = { tag: 'INPUT', type: 'range' };
    expect(controlOwnsKey(slider, { key: 'z', ctrlKey: true })).toBe(false);
    expect(controlOwnsKey(slider, { key: 'o' })).toBe(false);
    expect(controlOwnsKey(slider, { key: '2' })).toBe(false);
  });

  it('leaves arrow keys to a focused slider or radio button', () => {
    expect(controlOwnsKey({ tag: 'INPUT', type: 'range' }, { key: 'ArrowUp' })).toBe(true);
    expect(controlOwnsKey({ tag: 'INPUT', type: 'radio' }, { key: 'ArrowDown' })).toBe(true);
  });

  it('keeps every shortcut on a focused checkbox or button', () => {
    expect(controlOwnsKey({ tag: 'INPUT', type: 'checkbox' }, { key: 'ArrowUp' })).toBe(false);
    expect(controlOwnsKey({ tag: 'INPUT', type: 'checkbox' }, { key: 'o' })).toBe(false);
    expect(controlOwnsKey({ tag: 'BUTTON' }, { key: 's', ctrlKey: true })).toBe(false);
  });
});
