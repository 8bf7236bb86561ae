import { describe, expect, it } from 'vitest';
import { EditLedger } from './editLedger';

describe('EditLedger', () => {
  it('lists the slices edited after a given edit', () => {
    const ledger = new EditLedger(10);
    ledger.record([2, 3]);
    const saved = ledger.current;
    ledger.record([3, 7]);
    expect(ledger.slicesEditedAfter(0)).toEqual([2, 3, 7]);
    expect(ledger.slicesEditedAfter(saved)).toEqual([3, 7]);
    expect(ledger.slicesEditedAfter(ledger.current)).toEqual([]);
  });

  it('marks every slice for an edit of unknown extent', () => {
    const ledger = new EditLedger(4);
    ledger.record(null);
    expect(ledger.slicesEditedAfter(0)).toEqual([0, 1, 2, 3]);
  });

  it('ignores slice numbers outside the grid', () => {
    const ledger = new EditLedger(3);
    ledger.record([-1, 5, 1]);
    expect(ledger.slicesEditedAfter(0)).toEqual([1]);
  });
});
