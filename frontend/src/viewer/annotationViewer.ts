/**
 * The annotation viewer of one case: it carries out the UI's commands on the viewports, the
 * tools and the mask, and enforces the protocol's painting rules. It is created by openCase
 * once the volumes and the mask are loaded.
 */

import type { Types } from '@cornerstonejs/core';

import { t, type MessageId } from '../i18n';
import { drawnLayers, layerOf, type CaseMask } from '../segmentation/caseMask';
import { recordVoxelEdit, redoEdit, undoEdit } from '../segmentation/editHistory';
import { voxelsInsidePolygon, type PlanePoint } from '../segmentation/fillPolygon';
import { interpolateSlices } from '../segmentation/interpolateSlices';
import { listVersions } from '../segmentation/maskApi';
import { setActiveRegion, setRegionAppearance, type RegionAppearance } from '../segmentation/regionDisplay';
import { planeAxes, readSlice, slicePlane } from '../segmentation/slicePlane';
import { enclosedArea } from '../segmentation/fillEnclosedArea';
import type { ViewerCommands } from '../state/commands';
import type { SaveController } from '../state/saveController';
import type { Store } from '../state/store';
import { closePreview, openPreview, restoreVersion, type VersionContext } from '../state/versionActions';
import { canPaint, withOverride } from '../tools/paintPermission';
import { PAINTING_TOOLS, setBrushSettings, setPrimaryTool, setThresholdRange, type BrushSettings, type ToolKey } from '../tools/toolGroups';
import { askComment } from '../ui/commentDialog';
import { askReason } from '../ui/dialogs';
import type { Toasts } from '../ui/toasts';
import type { CaseWorkflow } from '../workflow/caseWorkflow';
import { axisIndexOf, commentAxisOf, commentVoxelAt, innermostRegion } from '../workflow/commentPlacement';
import type { CaseComment, DraftComment } from '../workflow/workflowConfig';
import type { MaskVersion, ViewerConfig } from './config';
import { nearestVoxel, VIEW_CAMERAS, viewAxis, worldToIjk, type Orientation, type Vec3 } from './geometry';
import type { LinkedNavigation } from './linkedNavigation';
import type { ViewportEntry, ViewportGrid } from './viewportGrid';
import type { WindowLevel } from './windowLevel';
import type { WindowPresetKey } from './windowPresets';

/** The parts the viewer works with, created by openCase. */
export interface ViewerParts {
  config: ViewerConfig;
  grid: ViewportGrid;
  navigation: LinkedNavigation;
  windowLevel: WindowLevel;
  mask: CaseMask;
  store: Store;
  controller: SaveController;
  versions: VersionContext;
  toasts: Toasts;
  volumeIds: Map<string, string>;
  workflow: CaseWorkflow;
}

// Long enough to read the refusal and decide whether to give a reason.
const ACTION_TOAST_MS = 15_000;

export class AnnotationViewer implements ViewerCommands {
  /** The viewport under the pointer most recently; keyboard scrolling and 1x1 act on it. */
  focusedViewportId: string;

  constructor(private readonly parts: ViewerParts) {
    this.focusedViewportId = parts.grid.entries[0].viewportId;
    for (const entry of parts.grid.entries) {
      this.watchViewport(entry);
    }
    parts.store.subscribe((_, changed) => {
      if (changed.has('activeRegion') || changed.has('tool') || changed.has('overrides') || changed.has('preview') || changed.has('readOnly')) {
        this.applyBindings();
      }
    });
  }

  selectTool(tool: ToolKey): void {
    // Comments belong to a review; elsewhere the tool would pin comments nobody sends.
    if (tool === 'comment' && this.parts.store.state.workflowMode !== 'review') {
      return;
    }
    this.parts.store.update({ tool });
  }

  selectRegion(key: string): void {
    const layer = layerOf(this.parts.mask, key);
    if (layer.derived !== null) {
      this.parts.toasts.show(t('regions.derivedNotPainted', { region: layer.key }), 'warning');
      return;
    }
    setActiveRegion(this.parts.mask, key, this.parts.grid.viewportIds());
    this.parts.store.update({ activeRegion: key });
  }

  setBrush(settings: BrushSettings): void {
    const radiusMm = Math.min(30, Math.max(0.5, Math.round(settings.radiusMm * 2) / 2));
    const brush = { ...settings, radiusMm };
    setBrushSettings(this.parts.grid.viewportIds(), brush);
    this.parts.store.update({ brush });
  }

  setThreshold(sequence: string, lower: number, upper: number): void {
    const entry = this.parts.grid.find(sequence);
    const volumeId = this.parts.volumeIds.get(sequence);
    if (!entry || !volumeId || !Number.isFinite(lower) || !Number.isFinite(upper)) {
      return;
    }
    const range = { lower: Math.min(lower, upper), upper: Math.max(lower, upper) };
    setThresholdRange(entry.viewportId, volumeId, range.lower, range.upper);
    this.parts.store.update({ thresholds: { ...this.parts.store.state.thresholds, [sequence]: range } });
  }

  interpolateActiveRegion(): void {
    if (!this.editable()) {
      return;
    }
    const { mask, navigation, store, toasts } = this.parts;
    const axis = navigation.slicePosition(this.focusedViewportId).axis;
    const layer = layerOf(mask, store.state.activeRegion);
    const fill = interpolateSlices(layer.voxels, mask.geometry.dimensions, axis);
    if (fill.length === 0) {
      toasts.show(t('interpolate.nothing', { region: layer.key }), 'warning');
      return;
    }
    const changed = recordVoxelEdit(mask, layer.key, fill, 1);
    toasts.show(t('interpolate.done', { region: layer.key, voxels: changed }));
  }

  undo(): void {
    if (this.editable() && !undoEdit()) {
      this.parts.toasts.show(t('edit.nothingToUndo'));
    }
  }

  redo(): void {
    if (this.editable() && !redoEdit()) {
      this.parts.toasts.show(t('edit.nothingToRedo'));
    }
  }

  /** Scroll the focused viewport (and so all four) by a number of slices. */
  scrollFocused(slices: number): void {
    this.parts.navigation.scrollSlices(this.focusedViewportId, slices);
  }

  setOrientation(orientation: Orientation): void {
    this.parts.navigation.setOrientation(orientation);
    this.parts.store.update({ orientation });
  }

  setEnlarged(viewportId: string | null): void {
    this.parts.grid.setEnlarged(viewportId);
    requestAnimationFrame(() => this.parts.navigation.redraw());
  }

  /** Switch between the 2x2 layout and the focused viewport alone. */
  toggleEnlarged(viewportId = this.focusedViewportId): void {
    this.setEnlarged(this.parts.grid.enlargedViewport() ? null : viewportId);
  }

  applyWindowPreset(preset: WindowPresetKey): void {
    this.parts.windowLevel.applyPreset(preset);
    this.parts.store.update({ windowPreset: preset });
  }

  setAppearance(region: string, appearance: Partial<RegionAppearance>): void {
    const { store } = this.parts;
    const current = store.state.appearance[region] ?? { visible: true, opacity: 0.4 };
    store.update({ appearance: { ...store.state.appearance, [region]: { ...current, ...appearance } } });
    this.applyAppearance();
  }

  setOutlineOnly(outlineOnly: boolean): void {
    this.parts.store.update({ outlineOnly });
    this.applyAppearance();
  }

  saveNow(): void {
    void this.parts.controller.saveIfDirty();
  }

  jumpToVoxel(ijk: Vec3): void {
    this.parts.navigation.jumpToVoxel(ijk);
  }

  listVersions(): Promise<MaskVersion[]> {
    return listVersions(this.parts.config);
  }

  async openPreview(version: MaskVersion): Promise<void> {
    await openPreview(this.parts.versions, version);
  }

  closePreview(): void {
    closePreview(this.parts.versions);
  }

  async restoreVersion(version: MaskVersion): Promise<void> {
    if (this.parts.store.state.preview) {
      closePreview(this.parts.versions);
    }
    if (await restoreVersion(this.parts.versions, version)) {
      this.parts.toasts.show(t('history.restored', { number: version.number }));
    }
  }

  /** Apply region visibility, opacity and fill mode from the store. */
  applyAppearance(): void {
    const { mask, grid, store } = this.parts;
    setRegionAppearance(mask, grid.viewportIds(), store.state.appearance, store.state.outlineOnly);
  }

  /** Bind the left button in each viewport according to the tool, region and permissions. */
  applyBindings(): void {
    const { store, grid } = this.parts;
    for (const entry of grid.entries) {
      const tool = store.state.tool;
      const allowed = !PAINTING_TOOLS.has(tool) || (this.editable() && this.mayPaintIn(entry));
      setPrimaryTool(entry.viewportId, tool, allowed);
      entry.frame.classList.toggle('paint-refused', PAINTING_TOOLS.has(tool) && !allowed);
    }
    this.updateRegionTags();
  }

  /**
   * Pin a review comment to the voxel under a click (world LPS mm) on a viewport's slice: ask for
   * its region (the innermost region there by default) and text, then keep it with the review.
   */
  async pinComment(viewportId: string, world: Types.Point3): Promise<void> {
    const { mask, navigation, store, config, workflow } = this.parts;
    const entry = this.parts.grid.find(viewportId);
    if (!entry || store.state.workflowMode !== 'review') {
      return;
    }
    const voxel = commentVoxelAt(worldToIjk(mask.geometry, world as Vec3), mask.geometry.dimensions);
    if (!voxel) {
      entry.overlay.flash(t('comment.outside'));
      return;
    }
    const { axis } = navigation.slicePosition(viewportId);
    const index = voxel[0] + mask.geometry.dimensions[0] * (voxel[1] + mask.geometry.dimensions[1] * voxel[2]);
    const value = drawnLayers(mask).reduce((bits, layer) => (layer.voxels[index] ? bits | layer.bit : bits), 0);
    const region = innermostRegion(drawnLayers(mask), value) ?? store.state.activeRegion;
    const location = t('comment.location', { view: t(`orientation.${commentAxisOf(axis)}` as MessageId), slice: voxel[axis] + 1, sequence: entry.sequence.name });
    const answer = await askComment(location, config.regions.map(({ key, name }) => ({ key, name })), region);
    if (answer) {
      workflow.addDraftComment(answer.region, commentAxisOf(axis), voxel, answer.text);
    }
  }

  /** Show a comment's slice in the view it was made on, centred on its voxel, and select it. */
  jumpToComment(comment: CaseComment | DraftComment): void {
    const { mask, store } = this.parts;
    const axis = axisIndexOf(comment.axis);
    const orientation = (Object.keys(VIEW_CAMERAS) as Orientation[]).find((name) => viewAxis(mask.geometry, VIEW_CAMERAS[name].viewPlaneNormal) === axis);
    if (orientation && orientation !== store.state.orientation) {
      this.setOrientation(orientation);
    }
    this.jumpToVoxel(comment.point_ijk);
    store.update({ selectedComment: comment.id });
  }

  removeDraftComment(id: number): void {
    this.parts.workflow.removeDraftComment(id);
  }

  selectCommentTool(): void {
    this.selectTool('comment');
  }

  /** Fill or erase the inside of a contour drawn on a viewport's current slice. */
  fillContour(viewportId: string, worldPoints: Types.Point3[], erase: boolean): void {
    const { mask, navigation, store } = this.parts;
    const entry = this.parts.grid.find(viewportId);
    if (!entry || !this.editable() || !this.mayPaintIn(entry)) {
      return;
    }
    const { axis, index } = navigation.slicePosition(viewportId);
    const [uAxis, vAxis] = planeAxes(axis);
    const points: PlanePoint[] = worldPoints.map((world) => {
      const ijk = worldToIjk(mask.geometry, world as Vec3);
      return [ijk[uAxis], ijk[vAxis]];
    });
    const plane = slicePlane(mask.geometry.dimensions, axis, index);
    const inside = voxelsInsidePolygon(points, plane.width, plane.height);
    const indices: number[] = [];
    for (let n = 0; n < inside.length; n += 2) {
      indices.push(plane.index(inside[n], inside[n + 1]));
    }
    recordVoxelEdit(mask, store.state.activeRegion, indices, erase ? 0 : 1);
  }

  /** Fill the enclosed empty area of the active region around a click, on the viewport's slice. */
  fillEnclosed(viewportId: string, world: Types.Point3): void {
    const { mask, navigation, store, toasts } = this.parts;
    const entry = this.parts.grid.find(viewportId);
    if (!entry || !this.editable() || !this.mayPaintIn(entry)) {
      return;
    }
    const { axis, index } = navigation.slicePosition(viewportId);
    const [uAxis, vAxis] = planeAxes(axis);
    const ijk = nearestVoxel(mask.geometry, worldToIjk(mask.geometry, world as Vec3));
    const plane = slicePlane(mask.geometry.dimensions, axis, index);
    const layer = layerOf(mask, store.state.activeRegion);
    const area = enclosedArea(readSlice(layer.voxels, plane), plane.width, plane.height, ijk[uAxis], ijk[vAxis]);
    if (!area) {
      toasts.show(t('fill.notEnclosed', { region: layer.key }), 'warning');
      return;
    }
    recordVoxelEdit(mask, layer.key, area.map((at) => plane.index(at % plane.width, Math.floor(at / plane.width))), 1);
  }

  private editable(): boolean {
    const { readOnly, preview } = this.parts.store.state;
    return !readOnly && preview === null;
  }

  private mayPaintIn(entry: ViewportEntry): boolean {
    const { store, mask } = this.parts;
    const layer = layerOf(mask, store.state.activeRegion);
    return canPaint(layer.key, layer.drawnOn, entry.sequence.key, store.state.overrides);
  }

  private watchViewport(entry: ViewportEntry): void {
    entry.frame.addEventListener('pointerenter', () => {
      this.focusedViewportId = entry.viewportId;
    });
    entry.frame.addEventListener('dblclick', () => this.toggleEnlarged(entry.viewportId));
    // Runs before Cornerstone receives the press, to explain why nothing is painted here.
    entry.frame.addEventListener(
      'pointerdown',
      (event) => {
        this.focusedViewportId = entry.viewportId;
        if (event.button === 0 && !event.shiftKey && PAINTING_TOOLS.has(this.parts.store.state.tool)) {
          this.explainRefusal(entry);
        }
      },
      true,
    );
  }

  private explainRefusal(entry: ViewportEntry): void {
    const { store, mask, toasts } = this.parts;
    if (!this.editable()) {
      entry.overlay.flash(t(store.state.preview ? 'paint.previewReadOnly' : 'paint.readOnly'));
      return;
    }
    if (this.mayPaintIn(entry)) {
      return;
    }
    const layer = layerOf(mask, store.state.activeRegion);
    const message = t('paint.refused', { name: layer.name, key: layer.key, prescribed: layer.drawnOn, sequence: entry.sequence.key });
    entry.overlay.flash(message);
    toasts.show(message, 'warning', { label: t('paint.override'), run: () => void this.requestOverride(layer.key, entry.sequence.key) }, ACTION_TOAST_MS);
  }

  private async requestOverride(region: string, sequence: string): Promise<void> {
    const layer = layerOf(this.parts.mask, region);
    const reason = await askReason(
      t('paint.overrideTitle', { key: layer.key, sequence }),
      t('paint.overrideMessage', { region: layer.name, prescribed: layer.drawnOn, sequence }),
    );
    if (reason) {
      const { store } = this.parts;
      store.update({ overrides: withOverride(store.state.overrides, { region, sequence, reason }) });
      this.parts.toasts.show(t('paint.overrideRecorded', { key: layer.key, sequence }));
    }
  }

  private updateRegionTags(): void {
    const { grid, mask, store } = this.parts;
    for (const entry of grid.entries) {
      const tags = mask.layers
        .filter((layer) => layer.derived === null && canPaint(layer.key, layer.drawnOn, entry.sequence.key, store.state.overrides))
        .map((layer) => ({ key: layer.key, color: layer.color, active: layer.key === store.state.activeRegion }));
      entry.overlay.setRegionTags(tags);
    }
  }
}
