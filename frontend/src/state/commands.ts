/**
 * The commands the UI can give the viewer. UI modules call these and read the store; they never
 * reach Cornerstone themselves.
 */

import type { MaskVersion } from '../viewer/config';
import type { Orientation, Vec3 } from '../viewer/geometry';
import type { WindowPresetKey } from '../viewer/windowPresets';
import type { RegionAppearance } from '../segmentation/regionDisplay';
import type { BrushSettings, ToolKey } from '../tools/toolGroups';
import type { CaseComment, DraftComment } from '../workflow/workflowConfig';

export interface ViewerCommands {
  selectTool(tool: ToolKey): void;
  selectRegion(key: string): void;
  setBrush(settings: BrushSettings): void;
  /** Intensity range of the threshold brush for a sequence, in its units. */
  setThreshold(sequence: string, lower: number, upper: number): void;
  interpolateActiveRegion(): void;
  undo(): void;
  redo(): void;
  setOrientation(orientation: Orientation): void;
  /** Show one viewport alone, or all four with null. */
  setEnlarged(viewportId: string | null): void;
  applyWindowPreset(preset: WindowPresetKey): void;
  setAppearance(region: string, appearance: Partial<RegionAppearance>): void;
  setOutlineOnly(outlineOnly: boolean): void;
  saveNow(): void;
  /** Move all viewports to a voxel, 0-based IJK of the reference grid. */
  jumpToVoxel(ijk: Vec3): void;
  listVersions(): Promise<MaskVersion[]>;
  openPreview(version: MaskVersion): Promise<void>;
  closePreview(): void;
  restoreVersion(version: MaskVersion): Promise<void>;
  /** Move all viewports to a review comment's voxel, in the view it was made on. */
  jumpToComment(comment: CaseComment | DraftComment): void;
  removeDraftComment(id: number): void;
  /** Choose the comment tool of a review. */
  selectCommentTool(): void;
}
