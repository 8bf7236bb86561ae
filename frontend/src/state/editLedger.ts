/**
 * Bookkeeping of mask edits by k-slice: a sequence number that grows with every edit, and the
 * last edit's number on each slice. From it the viewer knows whether the mask differs from the
 * last save (edits after the save's number) and which slices the journal must re-encode.
 */

export class EditLedger {
  private sequence = 0;
  private readonly lastEdit: Int32Array;

  /** `sliceCount` is the number of k-slices of the grid. */
  constructor(sliceCount: number) {
    this.lastEdit = new Int32Array(sliceCount);
  }

  /** The number of the latest edit; 0 before any. */
  get current(): number {
    return this.sequence;
  }

  /** Record an edit of these k-slices, or of any slice when `slices` is null. */
  record(slices: number[] | null): number {
    this.sequence++;
    if (slices === null) {
      this.lastEdit.fill(this.sequence);
    } else {
      for (const slice of slices) {
        if (slice >= 0 && slice < this.lastEdit.length) {
          this.lastEdit[slice] = this.sequence;
        }
      }
    }
    return this.sequence;
  }

  /** Return the k-slices edited after edit number `since`, in increasing order. */
  slicesEditedAfter(since: number): number[] {
    const slices: number[] = [];
    this.lastEdit.forEach((edit, slice) => {
      if (edit > since) {
        slices.push(slice);
      }
    });
    return slices;
  }
}
