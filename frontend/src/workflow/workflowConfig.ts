/**
 * The workflow part of the viewer configuration (`workflow` and `comments` in the page's
 * `viewer-config` JSON): what the user may do with the case around the drawing (submit, exclude,
 * review, grade image quality) and the reviewers' comments pinned to points of the grid.
 */

import type { MaskVersion } from '../viewer/config';
import type { Vec3 } from '../viewer/geometry';

/** annotate: the assignee edits; review: a senior reviewer decides; read_only: anyone else. */
export type WorkflowMode = 'annotate' | 'review' | 'read_only';

/** The view a comment was pinned on; the server maps sagittal, coronal, axial to i, j, k. */
export type CommentAxis = 'sagittal' | 'coronal' | 'axial';

export interface ChecklistItem {
  key: string;
  text: string;
}

/** A choice with a protocol key and a translated name (scope exclusions, quality reasons). */
export interface NamedChoice {
  key: string;
  name: string;
}

export interface QualityGrade {
  value: number;
  name: string;
}

/** The quality grade of one selected series (null: not graded yet) and the reasons given. */
export interface SeriesQuality {
  series: number;
  sequence: string;
  grade: number | null;
  reasons: string[];
}

export interface QualityConfig {
  /** The lowest grade a case may be annotated, submitted and exported with. */
  minimum: number;
  grades: QualityGrade[];
  reasons: NamedChoice[];
  series: SeriesQuality[];
}

/** Addresses of the workflow API; `quality` has a {series_id} placeholder. */
export interface WorkflowApi {
  submit: string;
  recall: string;
  exclude: string;
  review_start: string;
  decision: string;
  comments: string;
  quality: string;
  heartbeat: string;
}

export interface WorkflowConfig {
  mode: WorkflowMode;
  can_submit: boolean;
  can_recall: boolean;
  can_review: boolean;
  /**
   * Whether the user may grade image quality. Older servers leave it out; the viewer then lets
   * only the annotator grade (the server also accepts project admins).
   */
  can_grade?: boolean;
  /** The reason the server gives why this senior reviewer may not review the waiting case. */
  review_refusal?: { code: string; detail: string } | null;
  submitted_version: MaskVersion | null;
  checklist: ChecklistItem[];
  /** The checklist items confirmed in the latest submission: {item key: true}. */
  submitted_checklist: Record<string, boolean>;
  scope_exclusions: NamedChoice[];
  quality: QualityConfig;
  api: WorkflowApi;
  links: { worklist: string; import: string | null; volumetry: string };
}

/** A reviewer's comment as the server stores it, pinned to a voxel of the reference grid. */
export interface CaseComment {
  id: number;
  region: string;
  axis: CommentAxis;
  /** 0-based voxel indices (i, j, k) on the reference grid. */
  point_ijk: Vec3;
  slice_index: number;
  text: string;
  reviewer: string;
  /** Number of the mask version the comment was made on. */
  version: number;
  decision: 'approved' | 'rejected';
  created_at: string;
  resolved: boolean;
}

/** A comment the reviewer placed in this session; it is sent with the decision. */
export interface DraftComment {
  /** Local id, negative so it never matches a stored comment's id. */
  id: number;
  region: string;
  axis: CommentAxis;
  point_ijk: Vec3;
  text: string;
}

/** The case states of the server's workflow. */
export type CaseState = 'new' | 'annotating' | 'submitted' | 'in_review' | 'approved' | 'rejected' | 'excluded';
