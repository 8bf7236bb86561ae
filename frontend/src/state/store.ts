/**
 * The viewer's UI state in one observable object. UI modules read it and subscribe to it;
 * changes go through `update`, which notifies subscribers with the keys that changed.
 */

import type { Figures, MaskVersion } from '../viewer/config';
import type { Orientation } from '../viewer/geometry';
import type { WindowPresetKey } from '../viewer/windowPresets';
import type { PaintOverride } from '../tools/paintPermission';
import type { BrushSettings, ToolKey } from '../tools/toolGroups';
import type { RegionAppearance } from '../segmentation/regionDisplay';
import type { CaseComment, CaseState, DraftComment, SeriesQuality, WorkflowMode } from '../workflow/workflowConfig';

/** The state the save indicator shows. */
export type SaveStatus = 'saved' | 'unsaved' | 'saving' | 'conflict' | 'offline' | 'failed' | 'readonly';

export interface ViewerState {
  activeRegion: string;
  tool: ToolKey;
  brush: BrushSettings;
  /** Threshold brush range per sequence key, in that sequence's intensity units. */
  thresholds: Record<string, { lower: number; upper: number }>;
  orientation: Orientation;
  windowPreset: WindowPresetKey;
  appearance: Record<string, RegionAppearance>;
  outlineOnly: boolean;
  overrides: PaintOverride[];
  saveStatus: SaveStatus;
  /** The version the mask on screen is based on (null before the first save). */
  baseVersion: MaskVersion | null;
  /** Figures of the last saved version and its number. */
  figures: Figures | null;
  figuresVersion: number | null;
  /** An earlier version shown read-only, or null when the user's own mask is shown. */
  preview: MaskVersion | null;
  readOnly: boolean;
  /** What the user does with the case now; it changes after a submission, recall or decision. */
  workflowMode: WorkflowMode;
  caseState: CaseState;
  /** True when the server accepts a submission of the latest version (a save makes it true). */
  submittable: boolean;
  canRecall: boolean;
  /** Quality grades of the case's series, as the server last returned them. */
  quality: SeriesQuality[];
  /** Comments of the reviews so far. */
  comments: CaseComment[];
  /** Comments of the review in progress, not sent yet. */
  draftComments: DraftComment[];
  /** The comment highlighted in the list and on the viewports (a stored or draft id). */
  selectedComment: number | null;
}

type Listener = (state: ViewerState, changed: ReadonlySet<keyof ViewerState>) => void;

export class Store {
  private listeners: Listener[] = [];

  constructor(private current: ViewerState) {}

  get state(): ViewerState {
    return this.current;
  }

  /** Merge a partial state and notify subscribers of the keys whose value changed. */
  update(partial: Partial<ViewerState>): void {
    const changed = new Set<keyof ViewerState>();
    for (const key of Object.keys(partial) as Array<keyof ViewerState>) {
      if (this.current[key] !== partial[key]) {
        changed.add(key);
      }
    }
    if (changed.size === 0) {
      return;
    }
    this.current = { ...this.current, ...partial };
    this.listeners.forEach((listener) => listener(this.current, changed));
  }

  /** Call `listener` after every change; returns a function that unsubscribes. */
  subscribe(listener: Listener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((candidate) => candidate !== listener);
    };
  }
}
