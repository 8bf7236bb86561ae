/**
 * Actions on mask versions besides saving. The user can resolve a conflict by reloading the newer
 * version or by merging their edits into it, restore an earlier version, or preview one read-only.
 * Unsaved edits come back from the local journal after a crash or a closed tab.
 */

import type { CaseMask } from '../segmentation/caseMask';
import { composeMask } from '../segmentation/maskContent';
import { fetchMaskData, postRestore } from '../segmentation/maskApi';
import { sha256Hex } from '../segmentation/maskPayload';
import { mergeOwnChanges } from '../segmentation/mergeChanges';
import type { MaskVersion, ViewerConfig } from '../viewer/config';
import type { DraftJournal } from './draftJournal';
import { applyChanges } from './journalEncoding';
import type { SaveController, SaveEvents } from './saveController';
import type { Store } from './store';

/** Everything the actions work on. */
export interface VersionContext {
  config: ViewerConfig;
  mask: CaseMask;
  store: Store;
  controller: SaveController;
  journal: DraftJournal | null;
  events: SaveEvents;
}

/** Unsaved edits found in the journal, and what applying them involves. */
export interface DraftOffer {
  savedAt: string;
  /** True when a newer version was saved since the draft's base, so applying merges into it. */
  needsMerge: boolean;
  apply(): Promise<void>;
  discard(): Promise<void>;
}

/** Fetch a version's bitmask, or an empty one for "no version". */
async function bitmaskOf(context: VersionContext, version: MaskVersion | null): Promise<Uint8Array> {
  if (!version) {
    return new Uint8Array(context.mask.voxelCount);
  }
  return fetchMaskData(context.config, version.id, version.checksum);
}

/** Drop the edits on screen and show the newest version (after a conflict). */
export async function reloadNewest(context: VersionContext, current: MaskVersion | null): Promise<void> {
  const theirs = await bitmaskOf(context, current);
  await context.controller.replaceContent(theirs, { version: current, mask: theirs });
  await context.controller.discardJournal();
}

/**
 * Apply the voxels this user changed since their base onto the newest version (their change
 * wins on each region bit both touched), then save on top of it.
 */
export async function mergeIntoNewest(context: VersionContext, current: MaskVersion | null): Promise<void> {
  const theirs = await bitmaskOf(context, current);
  const { mask: base } = context.controller.saveBase;
  const merged = mergeOwnChanges(base, composeMask(context.mask), theirs);
  await context.controller.replaceContent(merged, { version: current, mask: theirs });
  await context.controller.saveIfDirty();
}

/** Make an earlier version the newest one; unsaved edits are saved first, so none is lost. */
export async function restoreVersion(context: VersionContext, version: MaskVersion): Promise<boolean> {
  await context.controller.settle();
  if (context.store.state.saveStatus === 'conflict') {
    return false;
  }
  const outcome = await postRestore(context.config, version.id, context.controller.saveBase.version?.id ?? null);
  if (outcome.kind === 'stale') {
    context.store.update({ saveStatus: 'conflict' });
    context.events.onConflict(outcome.current, outcome.detail);
    return false;
  }
  if (outcome.kind !== 'saved') {
    context.events.onRejected(outcome.kind === 'rejected' ? outcome.code : outcome.kind, outcome.detail);
    return false;
  }
  const restored = await bitmaskOf(context, outcome.version);
  await context.controller.replaceContent(restored, { version: outcome.version, mask: restored });
  await context.controller.discardJournal();
  context.events.onSaved(outcome.version);
  return true;
}

/** Show an earlier version read-only; the user's own mask is kept aside meanwhile. */
export async function openPreview(context: VersionContext, version: MaskVersion): Promise<void> {
  const content = await bitmaskOf(context, version);
  context.controller.showPreview(content);
  context.store.update({ preview: version, figures: version.figures, figuresVersion: version.number });
}

/** Return from a preview to the user's own mask. */
export function closePreview(context: VersionContext): void {
  context.controller.endPreview();
  const base = context.controller.saveBase.version;
  context.store.update({ preview: null, figures: base?.figures ?? null, figuresVersion: base?.number ?? null });
}

/** Look for unsaved edits of this case and user in the journal. */
export async function findDraft(context: VersionContext): Promise<DraftOffer | null> {
  const record = await context.journal?.read();
  if (!record || !context.journal) {
    return null;
  }
  const journal = context.journal;
  if (record.voxelCount !== context.mask.voxelCount) {
    await journal.remove();
    return null;
  }

  const base = context.controller.saveBase;
  const sameBase = record.baseVersionId === (base.version?.id ?? null);
  const draftBase = sameBase ? base.mask : await draftBaseMask(context, record.baseVersionId);
  const mine = draftBase.slice();
  for (const [slice, encoded] of Object.entries(record.slices)) {
    applyChanges(mine, encoded, Number(slice) * context.mask.sliceSize);
  }

  // A keep-alive save may have stored these very edits as the newest version already.
  if (!sameBase && base.version && (await sha256Hex(mine)) === base.version.checksum) {
    await journal.remove();
    return null;
  }

  return {
    savedAt: record.savedAt,
    needsMerge: !sameBase,
    apply: async () => {
      const content = sameBase ? mine : mergeOwnChanges(draftBase, mine, base.mask);
      context.store.update({ overrides: mergeOverrides(context.store.state.overrides, record.overrides) });
      await context.controller.replaceContent(content, base);
    },
    discard: () => journal.remove(),
  };
}

async function draftBaseMask(context: VersionContext, versionId: number | null): Promise<Uint8Array> {
  if (versionId === null) {
    return new Uint8Array(context.mask.voxelCount);
  }
  return fetchMaskData(context.config, versionId);
}

function mergeOverrides<T extends { region: string; sequence: string }>(current: T[], added: T[]): T[] {
  const kept = current.filter((item) => !added.some((other) => other.region === item.region && other.sequence === item.sequence));
  return [...kept, ...added];
}
