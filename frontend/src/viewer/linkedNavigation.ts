/**
 * Linked navigation across the four viewports: one camera (slice, zoom and pan) shared by all of
 * them, one cursor (a world point, LPS mm) drawn in each, the axial/sagittal/coronal switch, and
 * jumps to a voxel. The viewports show the same reference grid, so one camera fits all four.
 */

import { Enums as CoreEnums, type Types } from '@cornerstonejs/core';
import { synchronizers, type Synchronizer } from '@cornerstonejs/tools';

import {
  edgeLabels,
  ijkToWorld,
  VIEW_CAMERAS,
  viewAxis,
  worldToIjk,
  type GridGeometry,
  type Orientation,
  type Vec3,
} from './geometry';
import { RENDERING_ENGINE_ID } from './cornerstone';
import type { ViewportEntry, ViewportGrid } from './viewportGrid';

/** The position of a viewport: the IJK axis across its slices and the 0-based slice index. */
export interface SlicePosition {
  axis: 0 | 1 | 2;
  index: number;
}

export class LinkedNavigation {
  cursor: Vec3;
  orientation: Orientation = 'axial';
  private synchronizer: Synchronizer | null = null;

  constructor(
    private readonly grid: ViewportGrid,
    private readonly geometry: GridGeometry,
  ) {
    const [nx, ny, nz] = geometry.dimensions;
    this.cursor = ijkToWorld(geometry, [(nx - 1) / 2, (ny - 1) / 2, Math.floor((nz - 1) / 2)]);
  }

  /** Link the cameras and keep the overlays up to date; call once the volumes are shown. */
  start(): void {
    this.synchronizer = synchronizers.createCameraPositionSynchronizer('annotation-camera');
    for (const entry of this.grid.entries) {
      this.synchronizer.add({ renderingEngineId: RENDERING_ENGINE_ID, viewportId: entry.viewportId });
      entry.element.addEventListener(CoreEnums.Events.CAMERA_MODIFIED, () => this.onCameraModified(entry));
      this.onCameraModified(entry);
    }
  }

  /** Switch all viewports to a standard orientation, centred on the cursor. */
  setOrientation(orientation: Orientation): void {
    this.orientation = orientation;
    const { viewPlaneNormal, viewUp } = VIEW_CAMERAS[orientation];
    for (const entry of this.grid.entries) {
      this.grid.viewport(entry.viewportId).setOrientation({ viewPlaneNormal, viewUp });
    }
    this.centreOn(this.cursor);
  }

  /** Move the cursor to a world point (from a click) without moving the slice. */
  placeCursor(world: Types.Point3): void {
    this.cursor = [world[0], world[1], world[2]];
    this.drawCursors();
  }

  /** Move cursor and slices to a voxel (0-based IJK) and centre every viewport on it. */
  jumpToVoxel(ijk: Vec3): void {
    this.cursor = ijkToWorld(this.geometry, ijk);
    this.centreOn(this.cursor);
  }

  /** Move a viewport (and so all of them) by a number of slices; positive raises the slice number. */
  scrollSlices(viewportId: string, delta: number): void {
    const viewport = this.grid.viewport(viewportId);
    const normal = viewport.getCamera().viewPlaneNormal!;
    const { axis } = this.slicePosition(viewportId);
    const along = this.geometry.direction.slice(3 * axis, 3 * axis + 3);
    // Cornerstone scrolls along the view-plane normal, which may point against the grid axis.
    const sign = normal[0] * along[0] + normal[1] * along[1] + normal[2] * along[2] >= 0 ? 1 : -1;
    viewport.scroll(delta * sign);
  }

  /** Redraw the overlays of every viewport, for example after a layout change resized them. */
  redraw(): void {
    this.grid.entries.forEach((entry) => this.onCameraModified(entry));
  }

  /** Return the slice position of a viewport. */
  slicePosition(viewportId: string): SlicePosition {
    const camera = this.grid.viewport(viewportId).getCamera();
    const axis = viewAxis(this.geometry, camera.viewPlaneNormal!);
    const ijk = worldToIjk(this.geometry, camera.focalPoint as Vec3);
    const index = Math.min(this.geometry.dimensions[axis] - 1, Math.max(0, Math.round(ijk[axis])));
    return { axis, index };
  }

  private centreOn(world: Vec3): void {
    for (const entry of this.grid.entries) {
      const viewport = this.grid.viewport(entry.viewportId);
      const camera = viewport.getCamera();
      const [fx, fy, fz] = camera.focalPoint!;
      const [px, py, pz] = camera.position!;
      viewport.setCamera({
        focalPoint: [world[0], world[1], world[2]],
        position: [world[0] + px - fx, world[1] + py - fy, world[2] + pz - fz],
      });
      viewport.render();
    }
  }

  private onCameraModified(entry: ViewportEntry): void {
    const viewport = this.grid.viewport(entry.viewportId);
    const camera = viewport.getCamera();
    if (!camera.viewPlaneNormal || !camera.viewUp || !camera.focalPoint) {
      return;
    }
    this.keepCursorOnSlice(camera.focalPoint, camera.viewPlaneNormal);
    const position = this.slicePosition(entry.viewportId);
    entry.overlay.setSlice(position.index, this.geometry.dimensions[position.axis]);
    entry.overlay.setEdgeLabels(edgeLabels(camera.viewUp, camera.viewPlaneNormal));
    this.drawCursor(entry);
  }

  /** Move the cursor along the view normal onto the slice shown, so the slice and cursor agree. */
  private keepCursorOnSlice(focalPoint: Types.Point3, normal: Types.Point3): void {
    const offset =
      (this.cursor[0] - focalPoint[0]) * normal[0] +
      (this.cursor[1] - focalPoint[1]) * normal[1] +
      (this.cursor[2] - focalPoint[2]) * normal[2];
    this.cursor = [this.cursor[0] - offset * normal[0], this.cursor[1] - offset * normal[1], this.cursor[2] - offset * normal[2]];
  }

  private drawCursors(): void {
    this.grid.entries.forEach((entry) => this.drawCursor(entry));
  }

  private drawCursor(entry: ViewportEntry): void {
    const viewport = this.grid.viewport(entry.viewportId);
    const { clientWidth, clientHeight } = entry.element;
    if (clientWidth === 0) {
      return;
    }
    const canvas = viewport.worldToCanvas(this.cursor as Types.Point3);
    entry.overlay.setCursor([canvas[0], canvas[1]], clientWidth, clientHeight);
  }
}
