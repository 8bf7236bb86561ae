/**
 * The comment tool of a review: a click reports its world point (LPS, mm) and viewport, and the
 * viewer asks for the region and text of a comment pinned to the voxel under it.
 */

import type { Types } from '@cornerstonejs/core';
import { BaseTool, type Types as ToolTypes } from '@cornerstonejs/tools';

/** Receives the world point of a click with the comment tool and the viewport it was made in. */
export type CommentPinCallback = (viewportId: string, world: Types.Point3) => void;

export class CommentPinTool extends BaseTool {
  static toolName = 'CommentPin';

  constructor(toolProps: ToolTypes.PublicToolProps = {}) {
    super(toolProps, { supportedInteractionTypes: ['Mouse'], configuration: { onPin: null } });
  }

  preMouseDownCallback = (event: ToolTypes.EventTypes.MouseDownEventType): boolean => {
    const onPin = this.configuration.onPin as CommentPinCallback | null;
    const { viewportId, currentPoints } = event.detail;
    const world: Types.Point3 = [currentPoints.world[0], currentPoints.world[1], currentPoints.world[2]];
    // The dialog opens after the press is handled, so Cornerstone sees the whole click first.
    window.setTimeout(() => onPin?.(viewportId, world), 0);
    return true;
  };
}
