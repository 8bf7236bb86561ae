/**
 * Window and level of the four viewports: MR presets computed per volume from its intensity
 * histogram, and the overlay text that follows mouse adjustments (Cornerstone's WindowLevelTool).
 */

import { Enums as CoreEnums, type Types } from '@cornerstonejs/core';

import type { ViewportGrid } from './viewportGrid';
import { intensityHistogram, presetRange, windowOf, type IntensityHistogram, type VoiRange, type WindowPresetKey } from './windowPresets';

export class WindowLevel {
  private readonly histograms = new Map<string, IntensityHistogram>();

  constructor(private readonly grid: ViewportGrid) {
    for (const entry of grid.entries) {
      entry.element.addEventListener(CoreEnums.Events.VOI_MODIFIED, ((event: Types.EventTypes.VoiModifiedEvent) => {
        const range = event.detail.range;
        const { width, center } = windowOf({ lower: range.lower, upper: range.upper });
        entry.overlay.setWindow(width, center);
      }) as EventListener);
    }
  }

  /** Remember a viewport's voxels for its presets (histogram of non-zero voxels). */
  addVolume(viewportId: string, voxels: ArrayLike<number>): void {
    this.histograms.set(viewportId, intensityHistogram(voxels));
  }

  /** Apply a preset to the given viewports (all by default), each from its own histogram. */
  applyPreset(preset: WindowPresetKey, viewportIds = this.grid.viewportIds()): void {
    for (const viewportId of viewportIds) {
      const histogram = this.histograms.get(viewportId);
      if (histogram) {
        this.setRange(viewportId, presetRange(histogram, preset));
      }
    }
  }

  /** Return the intensity range at two percentiles of a viewport's volume (for threshold defaults). */
  percentileRange(viewportId: string, lower: number, upper: number): VoiRange | null {
    const histogram = this.histograms.get(viewportId);
    return histogram ? { lower: histogram.at(lower), upper: histogram.at(upper) } : null;
  }

  private setRange(viewportId: string, range: VoiRange): void {
    const viewport = this.grid.viewport(viewportId);
    viewport.setProperties({ voiRange: range });
    viewport.render();
    const { width, center } = windowOf(range);
    this.grid.find(viewportId)?.overlay.setWindow(width, center);
  }
}
