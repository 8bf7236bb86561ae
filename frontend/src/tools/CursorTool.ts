/**
 * The crosshair tool: a click or drag places the linked cursor, a point in world (LPS, mm)
 * coordinates that all four viewports show and that the orientation switch centres on.
 */

import type { Types } from '@cornerstonejs/core';
import { BaseTool, type Types as ToolTypes } from '@cornerstonejs/tools';

/** Receives each cursor position the tool places, in world coordinates. */
export type CursorPlacedCallback = (world: Types.Point3, viewportId: string) => void;

export class CursorTool extends BaseTool {
  static toolName = 'LinkedCursor';

  constructor(toolProps: ToolTypes.PublicToolProps = {}) {
    super(toolProps, { supportedInteractionTypes: ['Mouse'], configuration: { onPlace: null } });
  }

  preMouseDownCallback = (event: ToolTypes.EventTypes.MouseDownEventType): boolean => {
    this.place(event.detail.currentPoints.world, event.detail.viewportId);
    return true;
  };

  mouseDragCallback = (event: ToolTypes.EventTypes.MouseDragEventType): void => {
    this.place(event.detail.currentPoints.world, event.detail.viewportId);
  };

  private place(world: Types.Point3, viewportId: string): void {
    const onPlace = this.configuration.onPlace as CursorPlacedCallback | null;
    onPlace?.(world, viewportId);
  }
}
