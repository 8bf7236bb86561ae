/**
 * The look of the regions in the viewports: colour, visibility, opacity, and filled or outline
 * display. Every region is shown in every viewport, whichever sequence it is drawn on.
 */

import { eventTarget } from '@cornerstonejs/core';
import { Enums as ToolEnums, segmentation, type Types as ToolTypes } from '@cornerstonejs/tools';

import type { CaseMask, RegionLayer } from './caseMask';

const LABELMAP = ToolEnums.SegmentationRepresentations.Labelmap;

/** Display settings of one region. */
export interface RegionAppearance {
  visible: boolean;
  /** Fill opacity from 0 to 1. */
  opacity: number;
}

/**
 * Add every region's labelmap to the viewports, with the region's colour.
 *
 * NOTE: each region is its own labelmap volume actor, four per viewport. With software WebGL
 * (headless Chromium, SwiftShader, 2 CPUs) they more than double the render time of the four
 * viewports (about 130 ms without labelmaps, 260-400 ms with them), which is most of a brush
 * stroke's delay there. One display labelmap coding the region combinations would cut that.
 */
export function showRegionsInViewports(mask: CaseMask, viewportIds: string[]): void {
  const colorLuts = new Map(mask.layers.map((layer) => [layer.key, segmentation.config.color.addColorLUT(colorLut(layer))]));
  for (const viewportId of viewportIds) {
    segmentation.addLabelmapRepresentationToViewportMap({
      [viewportId]: mask.layers.map((layer) => ({
        segmentationId: layer.segmentationId,
        config: { colorLUTOrIndex: colorLuts.get(layer.key) },
      })),
    });
    segmentation.config.style.setRenderInactiveSegmentations(viewportId, true);
  }
}

/**
 * Wait until every viewport has rendered every region's labelmap once (or `timeoutMs` passed).
 * Cornerstone adds the labelmap actors asynchronously, and content written into a labelmap
 * before its actor existed in a viewport did not appear there (Cornerstone 5.0.13, ContextPool
 * rendering), so the regions are redrawn once this resolves.
 */
export function whenRegionsRendered(mask: CaseMask, viewportIds: string[], timeoutMs = 15_000): Promise<void> {
  const pending = new Set(viewportIds.flatMap((viewportId) => mask.layers.map((layer) => `${viewportId}/${layer.segmentationId}`)));
  return new Promise((resolve) => {
    const finish = (): void => {
      eventTarget.removeEventListener(ToolEnums.Events.SEGMENTATION_RENDERED, listener);
      window.clearTimeout(timer);
      resolve();
    };
    const listener = (event: Event): void => {
      const { viewportId, segmentationId } = (event as ToolTypes.EventTypes.SegmentationRenderedEventType).detail;
      pending.delete(`${viewportId}/${segmentationId}`);
      if (pending.size === 0) {
        finish();
      }
    };
    const timer = window.setTimeout(finish, timeoutMs);
    eventTarget.addEventListener(ToolEnums.Events.SEGMENTATION_RENDERED, listener);
  });
}

/** Apply visibility, opacity and fill mode to every region in the viewports. */
export function setRegionAppearance(
  mask: CaseMask,
  viewportIds: string[],
  appearance: Record<string, RegionAppearance>,
  outlineOnly: boolean,
): void {
  for (const layer of mask.layers) {
    const { visible, opacity } = appearance[layer.key] ?? { visible: true, opacity: 0.4 };
    // Active and inactive styles are the same: which region is active must not change the picture.
    segmentation.config.style.setStyle(
      { type: LABELMAP, segmentationId: layer.segmentationId },
      {
        renderFill: !outlineOnly,
        fillAlpha: opacity,
        renderOutline: true,
        outlineWidth: 2,
        outlineOpacity: Math.max(0.6, opacity),
        renderFillInactive: !outlineOnly,
        fillAlphaInactive: opacity,
        renderOutlineInactive: true,
        outlineWidthInactive: 2,
        outlineOpacityInactive: Math.max(0.6, opacity),
      },
    );
    for (const viewportId of viewportIds) {
      segmentation.config.visibility.setSegmentationRepresentationVisibility(
        viewportId,
        { segmentationId: layer.segmentationId, type: LABELMAP },
        visible,
      );
    }
  }
}

/** Make a drawn region the one the brushes paint, in every viewport. */
export function setActiveRegion(mask: CaseMask, key: string, viewportIds: string[]): void {
  const layer = mask.layers.find((candidate) => candidate.key === key && candidate.derived === null);
  if (!layer) {
    throw new Error(`region ${key} is not a drawn region of the protocol`);
  }
  for (const viewportId of viewportIds) {
    segmentation.activeSegmentation.setActiveSegmentation(viewportId, layer.segmentationId);
  }
}

function colorLut(layer: RegionLayer): Array<[number, number, number, number]> {
  const [r, g, b] = hexColor(layer.color);
  return [
    [0, 0, 0, 0],
    [r, g, b, 255],
  ];
}

/** Parse #RRGGBB into [r, g, b]. */
export function hexColor(color: string): [number, number, number] {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color.trim());
  if (!match) {
    throw new Error(`region colour ${color} is not of the form #RRGGBB`);
  }
  return [parseInt(match[1], 16), parseInt(match[2], 16), parseInt(match[3], 16)];
}
