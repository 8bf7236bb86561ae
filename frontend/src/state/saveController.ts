/**
 * Saving of the mask: autosave while there are unsaved edits, a save when the tab is hidden, a
 * keep-alive delta save when the page closes, the local journal, and the save status shown to
 * the user. Every save names the version the edits started from (the base). The server rejects
 * a save whose base is no longer the newest version. The edits then stay on screen and in the
 * journal until the user reloads or merges (see versionActions).
 */

import { composeBitmaskRange } from '../segmentation/bitmask';
import { regionBits, type CaseMask } from '../segmentation/caseMask';
import { clearEditHistory } from '../segmentation/editHistory';
import { composeMask, loadMaskIntoRegions } from '../segmentation/maskContent';
import { cropPayload, deltaPayload, postMaskVersion, type MaskPayload, type SaveOutcome } from '../segmentation/maskApi';
import type { MaskVersion, ViewerConfig } from '../viewer/config';
import { log } from '../viewer/log';
import type { DraftJournal } from './draftJournal';
import { EditLedger } from './editLedger';
import { encodeChanges } from './journalEncoding';
import type { Store } from './store';
import { sameAsBase } from './unchanged';

/** The saved version the edits on screen started from, and its bitmask. */
export interface SaveBase {
  version: MaskVersion | null;
  mask: Uint8Array;
}

/** Reactions of the page to save outcomes. */
export interface SaveEvents {
  onSaved(version: MaskVersion): void;
  onConflict(current: MaskVersion | null, detail: string): void;
  onRejected(code: string, detail: string): void;
}

// Wait after the last edit before the journal is written and the keep-alive payload is built.
const JOURNAL_DELAY_MS = 1000;
const PREPARE_DELAY_MS = 1500;
// Browsers cap the bodies of keep-alive requests at 64 KiB in total.
const KEEPALIVE_MAX_BYTES = 60_000;
const RETRY_FIRST_MS = 5_000;
const RETRY_MAX_MS = 60_000;

export class SaveController {
  private base: SaveBase;
  private readonly ledger: EditLedger;
  /** Ledger number of the last edit that the base version contains. */
  private savedEdit = 0;
  private journaledEdit = 0;
  private readonly journalSlices = new Map<number, Uint8Array>();
  private saving: Promise<void> | null = null;
  private saveAgain = false;
  private loading = false;
  private prepared: { edit: number; baseId: number | null; payload: MaskPayload } | null = null;
  private journalTimer = 0;
  private prepareTimer = 0;
  private retryTimer = 0;
  private retryDelayMs = RETRY_FIRST_MS;
  private previewStash: Uint8Array | null = null;
  private lastRejection = '';

  constructor(
    private readonly config: ViewerConfig,
    private readonly mask: CaseMask,
    private readonly store: Store,
    private readonly journal: DraftJournal | null,
    private readonly events: SaveEvents,
    base: SaveBase,
  ) {
    this.base = base;
    this.ledger = new EditLedger(mask.geometry.dimensions[2]);
  }

  /** Start the autosave timer and the page lifecycle handlers. */
  start(): void {
    const intervalMs = Math.max(1, this.config.autosave_interval_s) * 1000;
    window.setInterval(() => void this.saveIfDirty(), intervalMs);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') {
        void this.flushJournal();
        void this.saveIfDirty();
      }
    });
    window.addEventListener('pagehide', () => this.onPageHide());
    window.addEventListener('online', () => void this.saveIfDirty());
  }

  /** The base version and its bitmask. */
  get saveBase(): SaveBase {
    return this.base;
  }

  /** True when the mask on screen has edits that no saved version contains. */
  get dirty(): boolean {
    return this.ledger.current > this.savedEdit;
  }

  /**
   * The k-slices whose content differs from the base version and that are not yet known to be
   * edited (none during a preview or load). Slices already recorded are left out, so a check
   * that races with a save does not start a second save of the same content.
   */
  changedSlices(): number[] {
    if (this.loading || this.previewStash) {
      return [];
    }
    const known = new Set(this.ledger.slicesEditedAfter(this.savedEdit));
    return this.slicesDifferingFromBase(composeMask(this.mask)).filter((slice) => !known.has(slice));
  }

  /** Record an edit of these k-slices (null: any slice); called for every labelmap change. */
  noteEdit(slices: number[] | null): void {
    if (this.loading || this.previewStash) {
      return;
    }
    this.ledger.record(slices);
    if (this.store.state.saveStatus === 'saved') {
      this.store.update({ saveStatus: 'unsaved' });
    }
    this.prepared = null;
    window.clearTimeout(this.journalTimer);
    this.journalTimer = window.setTimeout(() => void this.flushJournal(), JOURNAL_DELAY_MS);
    window.clearTimeout(this.prepareTimer);
    this.prepareTimer = window.setTimeout(() => void this.prepareKeepalive(), PREPARE_DELAY_MS);
  }

  /** Save now if there are unsaved edits and nothing blocks it (a conflict, a preview). */
  async saveIfDirty(): Promise<void> {
    const status = this.store.state.saveStatus;
    if (!this.dirty || status === 'conflict' || status === 'readonly' || this.previewStash) {
      return;
    }
    if (this.saving) {
      this.saveAgain = true;
      return this.saving;
    }
    this.saving = this.save().finally(() => {
      this.saving = null;
      if (this.saveAgain) {
        this.saveAgain = false;
        void this.saveIfDirty();
      }
    });
    return this.saving;
  }

  /** Wait for a save in progress, then save what is left; resolves when nothing is pending. */
  async settle(): Promise<void> {
    while (this.saving) {
      await this.saving;
    }
    await this.saveIfDirty();
  }

  /**
   * Replace the mask on screen with `content` and make `base` the version the edits start from.
   * Voxels where content differs from the base (after a merge) count as unsaved edits and go to
   * the journal. The undo history is cleared because it refers to the replaced content. A journal
   * record from before is left alone unless differences overwrite it (see `discardJournal`).
   */
  async replaceContent(content: Uint8Array | null, base: SaveBase): Promise<void> {
    this.withLoading(() => loadMaskIntoRegions(this.mask, content));
    clearEditHistory();
    this.base = base;
    this.savedEdit = this.ledger.current;
    this.journalSlices.clear();
    this.journaledEdit = this.savedEdit;
    this.prepared = null;
    const differing = content ? this.slicesDifferingFromBase(content) : this.slicesDifferingFromBase(new Uint8Array(this.mask.voxelCount));
    if (differing.length) {
      this.ledger.record(differing);
    }
    this.store.update({
      baseVersion: base.version,
      saveStatus: this.restingStatus(),
      ...(base.version ? { figures: base.version.figures, figuresVersion: base.version.number } : {}),
    });
    if (differing.length) {
      await this.flushJournal();
    }
  }

  /** Delete the journal record, after the user chose to drop the edits it contains. */
  async discardJournal(): Promise<void> {
    this.journalSlices.clear();
    try {
      await this.journal?.remove();
    } catch (error) {
      log.warn('removing the local journal failed', error);
    }
  }

  /** Show another bitmask read-only (an earlier version) and keep the user's own mask aside. */
  showPreview(content: Uint8Array): void {
    if (!this.previewStash) {
      this.previewStash = composeMask(this.mask);
    }
    this.withLoading(() => loadMaskIntoRegions(this.mask, content));
  }

  /** Put the user's own mask back after a preview. */
  endPreview(): void {
    const stash = this.previewStash;
    if (!stash) {
      return;
    }
    this.withLoading(() => loadMaskIntoRegions(this.mask, stash));
    this.previewStash = null;
  }

  /** Write the changed slices to the local journal (or remove it when nothing differs). */
  async flushJournal(): Promise<void> {
    if (!this.journal || this.previewStash) {
      return;
    }
    const upTo = this.ledger.current;
    for (const slice of this.ledger.slicesEditedAfter(this.journaledEdit)) {
      const encoded = this.encodeSlice(slice);
      if (encoded.length) {
        this.journalSlices.set(slice, encoded);
      } else {
        this.journalSlices.delete(slice);
      }
    }
    this.journaledEdit = upTo;
    try {
      if (this.journalSlices.size === 0) {
        await this.journal.remove();
        return;
      }
      await this.journal.write({
        key: this.journal.key,
        caseId: this.config.case.id,
        userId: this.config.user.id,
        baseVersionId: this.base.version?.id ?? null,
        savedAt: new Date().toISOString(),
        voxelCount: this.mask.voxelCount,
        overrides: this.store.state.overrides,
        slices: Object.fromEntries(this.journalSlices),
      });
    } catch (error) {
      log.warn('writing the local journal failed', error);
    }
  }

  private async save(): Promise<void> {
    const edit = this.ledger.current;
    const snapshot = composeMask(this.mask);
    const base = this.base.version;
    if (base && sameAsBase(snapshot, this.store.state.overrides, this.base.mask, base.overrides ?? [])) {
      // Undone or redone back to the saved content: nothing new to store.
      this.savedEdit = edit;
      this.store.update({ saveStatus: this.restingStatus() });
      await this.flushJournal();
      return;
    }
    this.store.update({ saveStatus: 'saving' });
    const started = performance.now();
    let outcome: SaveOutcome;
    try {
      const payload = await cropPayload(snapshot, this.mask.geometry.dimensions);
      outcome = await postMaskVersion(this.config, payload, this.base.version?.id ?? null, this.store.state.overrides);
      log.info(`save returned ${outcome.kind} after ${Math.round(performance.now() - started)} ms (${payload.body.length} bytes)`);
    } catch (error) {
      log.error('building or sending the save failed', error);
      outcome = { kind: 'failed', detail: String(error) };
    }
    await this.handleOutcome(outcome, snapshot, edit);
  }

  private async handleOutcome(outcome: SaveOutcome, snapshot: Uint8Array, edit: number): Promise<void> {
    switch (outcome.kind) {
      case 'saved':
        await this.onSaved(outcome.version, snapshot, edit);
        return;
      case 'stale':
        this.store.update({ saveStatus: 'conflict' });
        await this.flushJournal();
        this.events.onConflict(outcome.current, outcome.detail);
        return;
      case 'rejected':
        this.store.update({ saveStatus: 'failed' });
        // Retries of a save the server keeps rejecting would otherwise stack one message each.
        if (outcome.code !== this.lastRejection) {
          this.lastRejection = outcome.code;
          this.events.onRejected(outcome.code, outcome.detail);
        }
        this.scheduleRetry();
        return;
      case 'offline':
        this.store.update({ saveStatus: 'offline' });
        this.scheduleRetry();
        return;
      case 'failed':
        this.store.update({ saveStatus: 'failed' });
        this.scheduleRetry();
    }
  }

  private async onSaved(version: MaskVersion, snapshot: Uint8Array, edit: number): Promise<void> {
    this.base = { version, mask: snapshot };
    this.savedEdit = edit;
    this.retryDelayMs = RETRY_FIRST_MS;
    this.lastRejection = '';
    window.clearTimeout(this.retryTimer);
    // The journal held changes from the old base; only edits made during the save still differ.
    this.journalSlices.clear();
    this.journaledEdit = edit;
    this.prepared = null;
    this.store.update({
      baseVersion: version,
      figures: version.figures,
      figuresVersion: version.number,
      saveStatus: this.restingStatus(),
    });
    this.events.onSaved(version);
    await this.flushJournal();
  }

  private scheduleRetry(): void {
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => void this.saveIfDirty(), this.retryDelayMs);
    this.retryDelayMs = Math.min(RETRY_MAX_MS, this.retryDelayMs * 2);
  }

  /** Build the small delta payload that `onPageHide` can send while the page goes away. */
  private async prepareKeepalive(): Promise<void> {
    if (!this.dirty || this.previewStash) {
      return;
    }
    const edit = this.ledger.current;
    const payload = await deltaPayload(this.base.mask, composeMask(this.mask));
    if (edit === this.ledger.current && payload.body.length <= KEEPALIVE_MAX_BYTES) {
      this.prepared = { edit, baseId: this.base.version?.id ?? null, payload };
    }
  }

  private onPageHide(): void {
    void this.flushJournal();
    const prepared = this.prepared;
    const fresh = prepared && prepared.edit === this.ledger.current && prepared.baseId === (this.base.version?.id ?? null);
    if (!this.dirty || !fresh || this.store.state.saveStatus === 'conflict') {
      return;
    }
    void postMaskVersion(this.config, prepared.payload, prepared.baseId, this.store.state.overrides, true);
  }

  private encodeSlice(slice: number): Uint8Array {
    const size = this.mask.sliceSize;
    const current = composeBitmaskRange(regionBits(this.mask), slice * size, (slice + 1) * size);
    return encodeChanges(this.base.mask.subarray(slice * size, (slice + 1) * size), current, 0, size);
  }

  private slicesDifferingFromBase(content: Uint8Array): number[] {
    const size = this.mask.sliceSize;
    const slices: number[] = [];
    for (let slice = 0; slice * size < content.length; slice++) {
      for (let index = slice * size; index < (slice + 1) * size; index++) {
        if (content[index] !== this.base.mask[index]) {
          slices.push(slice);
          break;
        }
      }
    }
    return slices;
  }

  /** Return the status when no save is running: read only, unsaved or saved. */
  private restingStatus(): 'readonly' | 'unsaved' | 'saved' {
    if (this.store.state.readOnly) {
      return 'readonly';
    }
    return this.dirty ? 'unsaved' : 'saved';
  }

  private withLoading(action: () => void): void {
    this.loading = true;
    try {
      action();
    } finally {
      this.loading = false;
    }
  }
}
