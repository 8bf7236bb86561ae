/**
 * The configuration the annotation page hands to the viewer (Django's `json_script` output with
 * id `viewer-config`): the case, the reference grid, the sequence volumes, the protocol's regions,
 * the mask API addresses, the workflow (workflow/workflowConfig.ts) and the review comments.
 */

import type { Affine } from './geometry';
import type { DerivedExpression } from '../segmentation/bitmask';
import type { PaintOverride } from '../tools/paintPermission';
import type { CaseComment, CaseState, WorkflowConfig } from '../workflow/workflowConfig';

/** A region drawn by the annotator, stored as one bit of the mask. */
export interface DrawnRegion {
  key: string;
  name: string;
  color: string;
  description?: string;
  /** Sequence key of the viewport where this region is painted. */
  drawn_on: string;
  bit: number;
  /** Key of the region that must contain this one, or null. */
  within: string | null;
  required: boolean;
}

/** A region computed from drawn ones (for example NET = TC minus ET); shown, never painted. */
export interface DerivedRegion {
  key: string;
  name: string;
  color: string;
  description?: string;
  derived: DerivedExpression;
}

export type Region = DrawnRegion | DerivedRegion;

/** One lesion of the protocol's lesion region, as the server found it. */
export interface Lesion {
  index: number;
  voxels: number;
  volume_cm3: number;
  centroid_ijk: [number, number, number];
}

/** A nesting violation: voxels of `region` outside `container`. */
export interface Violation {
  key: string;
  region: string;
  container: string;
  voxels: number;
  example_ijk: [number, number, number];
}

/** Figures the server computes from a saved mask. */
export interface Figures {
  voxel_volume_mm3?: number;
  regions?: Record<string, { voxels: number; volume_cm3: number }>;
  lesions?: Lesion[];
  violations?: Violation[];
  empty_required?: string[];
}

/** A saved mask version as the API lists it. */
export interface MaskVersion {
  id: number;
  number: number;
  author: string | null;
  author_id?: number | null;
  created_at: string;
  base_version?: number | null;
  source?: string;
  restored_from?: number | null;
  checksum: string;
  figures: Figures;
  size_bytes?: number;
  /** Regions painted on another sequence than prescribed, with the reasons given. */
  overrides?: PaintOverride[];
}

export interface SequenceSource {
  key: string;
  name: string;
  url: string;
}

export interface ViewerConfig {
  case: { id: number; label: string; study_id: number; state: CaseState; read_only: boolean };
  user: { id: number; name: string };
  language: string;
  grid: { shape: number[]; spacing_mm: number[]; affine: Affine; orientation: string[] };
  sequences: SequenceSource[];
  regions: Region[];
  api: { versions: string; version_data: string; restore: string; figures: string };
  latest_version: MaskVersion | null;
  autosave_interval_s: number;
  csrf_token: string;
  workflow: WorkflowConfig;
  /** Comments of every review of the case, oldest first. */
  comments: CaseComment[];
}

/** True for regions the annotator paints. */
export function isDrawn(region: Region): region is DrawnRegion {
  return !('derived' in region);
}

/** Read and check the configuration the page embeds; throws an Error naming a missing part. */
export function readViewerConfig(documentRoot: Document): ViewerConfig {
  const element = documentRoot.getElementById('viewer-config');
  if (!element?.textContent) {
    throw new Error('the page has no viewer configuration (#viewer-config)');
  }
  return parseViewerConfig(JSON.parse(element.textContent));
}

/** Check the shape of a parsed configuration object. */
export function parseViewerConfig(value: unknown): ViewerConfig {
  const config = value as ViewerConfig;
  const missing = ['case', 'user', 'grid', 'sequences', 'regions', 'api', 'workflow'].filter(
    (key) => !(value && typeof value === 'object' && key in value),
  );
  if (missing.length) {
    throw new Error(`the viewer configuration lacks ${missing.join(', ')}`);
  }
  if (config.grid.shape.length < 3 || config.grid.affine.length < 3) {
    throw new Error(`the viewer configuration has an invalid grid: ${JSON.stringify(config.grid.shape)}`);
  }
  if (config.sequences.length === 0) {
    throw new Error('the case has no sequence volumes on its reference grid');
  }
  config.comments ??= [];
  return config;
}

/** Fill an API address template such as /api/v1/masks/{id}/data/. */
export function apiUrl(template: string, id: number): string {
  return template.replace('{id}', String(id));
}
