/**
 * Opening a case in the viewer: the four volumes and the latest mask are fetched in parallel,
 * the viewports show the volumes as soon as they are decoded, then the regions, tools, panels,
 * autosave and journal are set up. Timings go to performance marks and `window.__viewerTimings`
 * for the benchmark.
 */

import { Enums as CoreEnums } from '@cornerstonejs/core';
import { eventTarget } from '@cornerstonejs/core';

import { t } from '../i18n';
import { countVoxels } from '../segmentation/bitmask';
import { drawnLayers } from '../segmentation/caseMask';
import { createRegionLabelmaps } from '../segmentation/createRegionLabelmaps';
import { redrawAllRegions } from '../segmentation/maskContent';
import { showRegionsInViewports, whenRegionsRendered } from '../segmentation/regionDisplay';
import { trackMaskEdits } from '../segmentation/trackMaskEdits';
import { DraftJournal } from '../state/draftJournal';
import { SaveController, type SaveEvents } from '../state/saveController';
import { Store, type ViewerState } from '../state/store';
import { findDraft, mergeIntoNewest, reloadNewest, type VersionContext } from '../state/versionActions';
import type { CaseComment, DraftComment, WorkflowMode } from '../workflow/workflowConfig';
import { bindShortcuts } from '../tools/bindShortcuts';
import { createToolGroups, setBrushSettings } from '../tools/toolGroups';
import { buildChecklistPanel } from '../ui/checklistPanel';
import { buildCommentsPanel } from '../ui/commentsPanel';
import { buildConflictBar } from '../ui/conflictBar';
import { choose } from '../ui/dialogs';
import { buildFiguresPanel } from '../ui/figuresPanel';
import { showHelp } from '../ui/helpPanel';
import { buildHistoryPanel, type HistoryPanel } from '../ui/historyPanel';
import { buildQualityPanel, showQualityTags } from '../ui/qualityPanel';
import { buildRegionPanel } from '../ui/regionPanel';
import { refusalText } from '../ui/submitDialog';
import { buildToolPanel } from '../ui/toolPanel';
import { buildTopBar } from '../ui/topBar';
import type { ViewerShell } from '../ui/viewerShell';
import { buildWorkflowBar } from '../ui/workflowBar';
import { CaseWorkflow } from '../workflow/caseWorkflow';
import { startHeartbeat } from '../workflow/heartbeat';
import { AnnotationViewer } from './annotationViewer';
import { showCommentMarkers } from './commentMarkers';
import { isDrawn, type MaskVersion, type Region, type ViewerConfig } from './config';
import { initCornerstone, RENDERING_ENGINE_ID } from './cornerstone';
import { gridGeometry } from './geometry';
import { LinkedNavigation } from './linkedNavigation';
import { createSequenceVolume, type SequenceVolume } from './loadSequenceVolume';
import type { DecodedNifti } from './niftiDecode';
import { log } from './log';
import { ViewportGrid } from './viewportGrid';
import { WindowLevel } from './windowLevel';

/** Milliseconds since navigation start of each loading step, for the benchmark. */
export interface ViewerTimings {
  startMs?: number;
  volumesDecodedMs?: number;
  firstImageMs?: number;
  readyMs?: number;
  /** Every viewport shows every region's labelmap. */
  regionsShownMs?: number;
}

/** Read-only state for browser tests and the benchmark; it changes nothing. */
export interface ViewerProbe {
  /** Painted voxels of every region, counted on the arrays the viewer saves from. */
  regionVoxels(): Record<string, number>;
  saveStatus(): string;
  baseVersionId(): number | null;
  /** annotate, review or read_only, as it is now (a submission or decision changes it). */
  workflowMode(): string;
  caseState(): string;
}

declare global {
  interface Window {
    __viewerTimings: ViewerTimings;
    __viewerProbe?: ViewerProbe;
  }
}

/** Record a loading step in `window.__viewerTimings` and as a performance mark. */
function mark(name: keyof ViewerTimings): void {
  window.__viewerTimings ??= {};
  window.__viewerTimings[name] = performance.now();
  performance.mark(`viewer:${name}`);
}

/** Event dispatched on `document` after every tracked mask edit (for tests and the benchmark). */
export const MASK_EDITED_EVENT = 'viewer:mask-edited';

/** Downloads the page starts before the viewer's script has loaded. */
export interface CaseDownloads {
  /** The decoded sequences, in the order of `config.sequences`. */
  sequences: Array<Promise<DecodedNifti>>;
  /** The bitmask of the latest version, or null when there is none. */
  mask: Promise<Uint8Array | null>;
}

/** Open the case of `config` in the shell; resolves once the viewer accepts input. */
export async function openCase(config: ViewerConfig, shell: ViewerShell, downloads: CaseDownloads): Promise<AnnotationViewer> {
  mark('startMs');
  const engine = await initCornerstone();
  log.info(`Cornerstone started at ${Math.round(performance.now())} ms`);
  const grid = new ViewportGrid(shell.viewports, config.sequences, engine);
  const geometry = gridGeometry(config.grid.shape, config.grid.affine);
  const latest = config.latest_version;
  const volumeIds = new Map(config.sequences.map((sequence) => [sequence.key, `volume-${sequence.key}`]));
  const decoded = await Promise.all(downloads.sequences);
  mark('volumesDecodedMs');
  const volumes = config.sequences.map((sequence, index) => createSequenceVolume(volumeIds.get(sequence.key)!, decoded[index], config.grid));
  const windowLevel = new WindowLevel(grid);
  await showVolumes(grid, windowLevel, volumes);
  mark('firstImageMs');
  shell.loading.remove();

  const navigation = new LinkedNavigation(grid, geometry);
  navigation.start();
  const mask = createRegionLabelmaps(config.regions, geometry);
  const regionsRendered = whenRegionsRendered(mask, grid.viewportIds());
  showRegionsInViewports(mask, grid.viewportIds());
  const store = new Store(initialState(config));
  const workflow = new CaseWorkflow(config, store);
  const journal = await DraftJournal.open(config.case.id, config.user.id);
  let history: HistoryPanel | null = null;
  const conflictBar = buildConflictBar((choice, current) => resolveConflict(versions, choice, current));
  shell.bar.append(conflictBar.element);
  const events: SaveEvents = {
    onSaved: () => {
      conflictBar.hide();
      void history?.refresh();
      // A save moves the case to annotating, from which its newest version can be submitted.
      store.update({ submittable: true, caseState: 'annotating' });
    },
    onConflict: (current, detail) => conflictBar.show(current, detail),
    onRejected: (code, detail) => shell.toasts.show(t('save.rejected', { code, detail }), 'error', undefined, 0),
  };
  const emptyBase = new Uint8Array(mask.voxelCount);
  const controller = new SaveController(config, mask, store, journal, events, { version: null, mask: emptyBase });
  const versions: VersionContext = { config, mask, store, controller, journal, events };
  const stored = await downloads.mask;
  await controller.replaceContent(stored, { version: latest, mask: stored ?? emptyBase });

  const viewer = new AnnotationViewer({ config, grid, navigation, windowLevel, mask, store, controller, versions, toasts: shell.toasts, volumeIds, workflow });
  createToolGroups(
    grid.entries.map((entry) => ({ viewportId: entry.viewportId, volumeId: volumeIds.get(entry.sequence.key)! })),
    RENDERING_ENGINE_ID,
    {
      onCursorPlaced: (world) => navigation.placeCursor(world),
      onContourCompleted: (viewportId, points, erase) => viewer.fillContour(viewportId, points, erase),
      onFillClick: (viewportId, world) => viewer.fillEnclosed(viewportId, world),
      onCommentPin: (viewportId, world) => void viewer.pinComment(viewportId, world),
    },
  );
  setDefaults(viewer, store, windowLevel, grid, mask.layers.filter((layer) => layer.derived === null).map((layer) => layer.key));
  trackMaskEdits(mask, {
    onEdit: (slices) => {
      controller.noteEdit(slices);
      document.dispatchEvent(new CustomEvent(MASK_EDITED_EVENT, { detail: { slices } }));
    },
    changedSlices: () => controller.changedSlices(),
  });
  history = buildPanels(config, shell, store, viewer, workflow);
  const colors = new Map(config.regions.map((region) => [region.key, region.color]));
  showCommentMarkers(grid, navigation, geometry, store, colors, (comment) => describeComment(comment));
  showQualityTags(grid.entries, config.workflow.quality, store);
  bindShortcuts(viewer, store, drawnLayers(mask).map((layer) => layer.key), showHelp);
  controller.start();
  // The viewports change size with the window, the panels and the conflict bar.
  new ResizeObserver(() => {
    grid.resize();
    requestAnimationFrame(() => navigation.redraw());
  }).observe(shell.viewports);
  eventTarget.addEventListener(CoreEnums.Events.ERROR_EVENT, (event: Event) => log.warn('Cornerstone error', (event as CustomEvent).detail));
  window.__viewerProbe = {
    regionVoxels: () => Object.fromEntries(mask.layers.map((layer) => [layer.key, countVoxels(layer.voxels)])),
    saveStatus: () => store.state.saveStatus,
    baseVersionId: () => controller.saveBase.version?.id ?? null,
    workflowMode: () => store.state.workflowMode,
    caseState: () => store.state.caseState,
  };
  mark('readyMs');
  void regionsRendered.then(() => {
    redrawAllRegions(mask);
    mark('regionsShownMs');
  });
  void offerDraft(versions, shell);
  void history.refresh();
  startWorkflow(config, workflow, shell, store);
  return viewer;
}

/** Record the start of a review, and report the time spent on the case while the user annotates or reviews it. */
function startWorkflow(config: ViewerConfig, workflow: CaseWorkflow, shell: ViewerShell, store: Store): void {
  const mode = config.workflow.mode;
  if (mode === 'review') {
    void workflow.startReview().then((outcome) => {
      if (!outcome.ok) {
        shell.toasts.show(refusalText(outcome), 'error', undefined, 0);
      }
    });
  }
  // The heartbeat runs only while the user annotates or reviews, as on a page opened read-only.
  // So a submission, an exclusion or a review decision stops it, and a recall starts it again.
  // A reviewer has no access to the case after the decision, so each heartbeat would get 404.
  const counted = (workflowMode: WorkflowMode): boolean => workflowMode === 'annotate' || workflowMode === 'review';
  let stopHeartbeat = counted(mode) ? startHeartbeat(config.workflow.api.heartbeat, config.csrf_token) : null;
  store.subscribe((state, changed) => {
    if (!changed.has('workflowMode')) {
      return;
    }
    if (counted(state.workflowMode) && !stopHeartbeat) {
      stopHeartbeat = startHeartbeat(config.workflow.api.heartbeat, config.csrf_token);
    } else if (!counted(state.workflowMode) && stopHeartbeat) {
      stopHeartbeat();
      stopHeartbeat = null;
    }
  });
}

function describeComment(comment: CaseComment | DraftComment): string {
  const author = 'reviewer' in comment ? `${comment.reviewer}: ` : '';
  return `${comment.region} · ${author}${comment.text}`;
}

async function showVolumes(grid: ViewportGrid, windowLevel: WindowLevel, volumes: SequenceVolume[]): Promise<void> {
  const rendered = grid.entries.map(
    (entry) => new Promise<void>((resolve) => entry.element.addEventListener(CoreEnums.Events.IMAGE_RENDERED, () => resolve(), { once: true })),
  );
  await Promise.all(
    grid.entries.map(async (entry, index) => {
      await grid.viewport(entry.viewportId).setVolumes([{ volumeId: volumes[index].volumeId }]);
      log.info(`${entry.viewportId}: volume set at ${Math.round(performance.now())} ms`);
      windowLevel.addVolume(entry.viewportId, volumes[index].voxels);
    }),
  );
  windowLevel.applyPreset('auto');
  log.info(`window presets applied at ${Math.round(performance.now())} ms`);
  await Promise.all(rendered);
}

function initialState(config: ViewerConfig): ViewerState {
  const firstDrawn = config.regions.find(isDrawn);
  return {
    activeRegion: firstDrawn?.key ?? '',
    tool: config.case.read_only ? 'cursor' : 'brush',
    brush: { radiusMm: 4, shape: 'circle' },
    thresholds: {},
    orientation: 'axial',
    windowPreset: 'auto',
    appearance: Object.fromEntries(config.regions.map((region) => [region.key, { visible: true, opacity: defaultOpacity(region, config.regions) }])),
    outlineOnly: false,
    overrides: config.latest_version?.overrides ?? [],
    saveStatus: config.case.read_only ? 'readonly' : 'saved',
    baseVersion: config.latest_version,
    figures: config.latest_version?.figures ?? null,
    figuresVersion: config.latest_version?.number ?? null,
    preview: null,
    readOnly: config.case.read_only,
    workflowMode: config.workflow.mode,
    caseState: config.case.state,
    submittable: config.workflow.can_submit,
    canRecall: config.workflow.can_recall,
    quality: config.workflow.quality.series,
    comments: config.comments,
    draftComments: [],
    selectedComment: null,
  };
}

/**
 * Fill opacity a region starts with: light for the outermost region and stronger for regions
 * nested in it, so the inner regions stay distinct where the fills overlap.
 */
function defaultOpacity(region: Region, regions: Region[]): number {
  let depth = 0;
  let current: Region | undefined = region;
  while (current && isDrawn(current) && current.within && depth < regions.length) {
    const container: string = current.within;
    current = regions.find((candidate) => candidate.key === container);
    depth++;
  }
  if (!isDrawn(region)) {
    depth = 2;
  }
  return Math.min(0.5, 0.25 + 0.1 * depth);
}

function setDefaults(viewer: AnnotationViewer, store: Store, windowLevel: WindowLevel, grid: ViewportGrid, drawn: string[]): void {
  setBrushSettings(grid.viewportIds(), store.state.brush);
  // The threshold brush starts at the brightest quarter of each sequence's non-zero voxels.
  for (const entry of grid.entries) {
    const range = windowLevel.percentileRange(entry.viewportId, 75, 100);
    if (range) {
      viewer.setThreshold(entry.sequence.key, range.lower, range.upper);
    }
  }
  if (drawn.length) {
    viewer.selectRegion(store.state.activeRegion);
  }
  viewer.applyAppearance();
  viewer.applyBindings();
}

function buildPanels(config: ViewerConfig, shell: ViewerShell, store: Store, viewer: AnnotationViewer, workflow: CaseWorkflow): HistoryPanel {
  const sequenceOf = (region: string): string => {
    const found = config.regions.find((candidate) => candidate.key === region);
    return found && isDrawn(found) ? found.drawn_on : '';
  };
  const colors = new Map(config.regions.map((region) => [region.key, region.color]));
  shell.bar.append(buildTopBar(config.case.label, store, viewer, () => viewer.toggleEnlarged(), showHelp));
  shell.bar.append(buildWorkflowBar(config, store, workflow, viewer, shell.toasts));
  shell.tools.append(buildToolPanel(store, viewer, sequenceOf));
  const history = buildHistoryPanel(store, viewer, (message) => shell.toasts.show(message, 'error'));
  const mayGrade = config.workflow.can_grade ?? config.workflow.mode === 'annotate';
  const quality = buildQualityPanel(config.workflow.quality, config.sequences, store, workflow, mayGrade);
  const comments = buildCommentsPanel(store, viewer, colors, () => store.state.workflowMode === 'review');
  const figures = buildFiguresPanel(config.regions, store, viewer);
  const regions = buildRegionPanel(config.regions, store, viewer);
  if (config.workflow.mode === 'review') {
    // The reviewer reads the answers and the figures first and paints nothing.
    shell.side.append(buildChecklistPanel(config.workflow), comments, figures, quality, regions, history.element);
  } else {
    shell.side.append(regions, comments, quality, figures, history.element);
  }
  return history;
}

async function resolveConflict(context: VersionContext, choice: 'merge' | 'reload', current: MaskVersion | null): Promise<void> {
  if (choice === 'merge') {
    await mergeIntoNewest(context, current);
  } else {
    await reloadNewest(context, current);
  }
}

async function offerDraft(context: VersionContext, shell: ViewerShell): Promise<void> {
  if (context.config.case.read_only) {
    return;
  }
  try {
    const draft = await findDraft(context);
    if (!draft) {
      return;
    }
    const when = new Date(draft.savedAt).toLocaleString(document.documentElement.lang || 'en');
    const choice = await choose(
      t('draft.title'),
      t(draft.needsMerge ? 'draft.messageMerge' : 'draft.message', { when }),
      [
        { value: 'restore', label: t('draft.restore'), primary: true },
        { value: 'discard', label: t('draft.discard') },
      ],
      'draft-dialog',
    );
    if (choice === 'restore') {
      await draft.apply();
    } else if (choice === 'discard') {
      await draft.discard();
    }
  } catch (error) {
    shell.toasts.show(t('draft.failed', { error: String(error) }), 'error');
  }
}
