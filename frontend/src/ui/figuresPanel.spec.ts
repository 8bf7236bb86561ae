import { describe, expect, it } from 'vitest';
import { figuresMayBeStale } from './figuresPanel';

describe('figuresMayBeStale', () => {
  it('flags figures while edits are not stored', () => {
    for (const status of ['unsaved', 'saving', 'conflict', 'offline', 'failed'] as const) {
      expect(figuresMayBeStale(status, false)).toBe(true);
    }
  });

  it('trusts figures of a saved mask', () => {
    expect(figuresMayBeStale('saved', false)).toBe(false);
  });

  it('trusts figures of a read-only case', () => {
    expect(figuresMayBeStale('readonly', false)).toBe(false);
  });

  it('trusts figures of a previewed version', () => {
    expect(figuresMayBeStale('unsaved', true)).toBe(false);
  });
});
