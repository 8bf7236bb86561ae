/**
 * The fill tool: a click reports its world point (LPS, mm), and the viewer fills the enclosed
 * empty area of the active region around it on the viewport's slice (see fillEnclosedArea).
 */

import type { Types } from '@cornerstonejs/core';
import { BaseTool, type Types as ToolTypes } from '@cornerstonejs/tools';

/** Receives the world point of a fill click and the viewport it was made in. */
export type FillClickCallback = (viewportId: string, world: Types.Point3) => void;

export class FillClickTool extends BaseTool {
  static toolName = 'EnclosedFill';

  constructor(toolProps: ToolTypes.PublicToolProps = {}) {
    super(toolProps, { supportedInteractionTypes: ['Mouse'], configuration: { onFill: null } });
  }

  preMouseDownCallback = (event: ToolTypes.EventTypes.MouseDownEventType): boolean => {
    const onFill = this.configuration.onFill as FillClickCallback | null;
    onFill?.(event.detail.viewportId, event.detail.currentPoints.world);
    return true;
  };
}
