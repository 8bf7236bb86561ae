import { describe, expect, it } from 'vitest';
import { actionForKey, SHORTCUT_HELP } from './shortcuts';

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
