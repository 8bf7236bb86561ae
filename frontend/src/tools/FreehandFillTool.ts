/**
 * The freehand contour tool: the user draws a closed contour on the slice, and on release the
 * voxels inside it are filled with the active region (or erased from it when the tool instance
 * is configured with `erase: true`). The contour is only a preview; it is not kept as an
 * annotation, so undo acts on the filled voxels alone.
 */

import { getEnabledElement, type Types } from '@cornerstonejs/core';
import {
  BaseTool,
  drawing,
  Enums as ToolEnums,
  type Types as ToolTypes,
  utilities as toolUtilities,
} from '@cornerstonejs/tools';

/** Receives a finished contour: its world points (LPS, mm) and the viewport it was drawn in. */
export type ContourCompletedCallback = (viewportId: string, worldPoints: Types.Point3[], erase: boolean) => void;

const PREVIEW_UID = 'freehand-fill-preview';

export class FreehandFillTool extends BaseTool {
  static toolName = 'FreehandFill';

  private points: Types.Point3[] = [];
  private element: HTMLDivElement | null = null;

  constructor(toolProps: ToolTypes.PublicToolProps = {}) {
    super(toolProps, {
      supportedInteractionTypes: ['Mouse'],
      configuration: { onComplete: null, erase: false, color: 'rgb(255, 255, 255)' },
    });
  }

  preMouseDownCallback = (event: ToolTypes.EventTypes.MouseDownEventType): boolean => {
    const { element, currentPoints } = event.detail;
    this.element = element;
    this.points = [currentPoints.world];
    element.addEventListener(ToolEnums.Events.MOUSE_UP, this.finish as EventListener);
    element.addEventListener(ToolEnums.Events.MOUSE_CLICK, this.finish as EventListener);
    return true;
  };

  mouseDragCallback = (event: ToolTypes.EventTypes.MouseDragEventType): void => {
    if (!this.element) {
      return;
    }
    this.points.push(event.detail.currentPoints.world);
    toolUtilities.triggerAnnotationRenderForViewportIds([event.detail.viewportId]);
  };

  renderAnnotation = (enabledElement: Types.IEnabledElement, svgDrawingHelper: ToolTypes.SVGDrawingHelper): boolean => {
    if (!this.element || this.points.length < 2 || enabledElement.viewport.element !== this.element) {
      return false;
    }
    const canvasPoints = this.points.map((point) => enabledElement.viewport.worldToCanvas(point));
    drawing.drawPolyline(svgDrawingHelper, PREVIEW_UID, 'line', canvasPoints, {
      color: this.configuration.color as string,
      width: 2,
      lineDash: this.configuration.erase ? '4,3' : undefined,
      closePath: true,
    });
    return true;
  };

  private finish = (event: ToolTypes.EventTypes.MouseUpEventType): void => {
    const element = this.element;
    if (!element) {
      return;
    }
    element.removeEventListener(ToolEnums.Events.MOUSE_UP, this.finish as EventListener);
    element.removeEventListener(ToolEnums.Events.MOUSE_CLICK, this.finish as EventListener);
    const points = this.points;
    this.points = [];
    this.element = null;
    const viewport = getEnabledElement(element)?.viewport;
    if (!viewport) {
      return;
    }
    toolUtilities.triggerAnnotationRenderForViewportIds([viewport.id]);
    const onComplete = this.configuration.onComplete as ContourCompletedCallback | null;
    if (points.length >= 3) {
      onComplete?.(viewport.id, points, Boolean(this.configuration.erase));
    }
    event.stopPropagation?.();
  };
}
