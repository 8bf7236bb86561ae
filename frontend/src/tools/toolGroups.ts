/**
 * The viewer's tools and their mouse bindings. Each viewport has its own tool group, because
 * the painting tools must act only in the viewport of the active region's sequence, and because
 * the threshold brush compares against the intensities of the viewport's own sequence.
 *
 * Bindings: the left button runs the chosen tool and Shift+left places the cursor. The right
 * button drags window and level, and the middle button pans. The wheel scrolls slices, and
 * Ctrl+wheel zooms.
 */

import { Enums as ToolEnums, ToolGroupManager, type Types as ToolTypes } from '@cornerstonejs/tools';
import {
  BrushTool,
  PanTool,
  StackScrollTool,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';

import { CommentPinTool, type CommentPinCallback } from './CommentPinTool';
import { CursorTool, type CursorPlacedCallback } from './CursorTool';
import { FillClickTool, type FillClickCallback } from './FillClickTool';
import { FreehandFillTool, type ContourCompletedCallback } from './FreehandFillTool';

const { MouseBindings, KeyboardBindings } = ToolEnums;

/** The tools a user picks for the left mouse button. */
export type ToolKey =
  | 'cursor'
  | 'brush'
  | 'eraser'
  | 'threshold'
  | 'fill'
  | 'contour'
  | 'contourErase'
  | 'windowLevel'
  | 'zoom'
  | 'pan'
  | 'comment';

/** Tools that change the mask, and so obey the paint permission. */
export const PAINTING_TOOLS: ReadonlySet<ToolKey> = new Set(['brush', 'eraser', 'threshold', 'fill', 'contour', 'contourErase']);

/** Cornerstone tool (instance) name behind each tool key. */
const TOOL_NAMES: Record<ToolKey, string> = {
  cursor: CursorTool.toolName,
  brush: 'Paint',
  eraser: 'Erase',
  threshold: 'ThresholdPaint',
  fill: FillClickTool.toolName,
  contour: FreehandFillTool.toolName,
  contourErase: 'FreehandErase',
  windowLevel: WindowLevelTool.toolName,
  zoom: ZoomTool.toolName,
  pan: PanTool.toolName,
  comment: CommentPinTool.toolName,
};

/** Brush settings shared by the brush, eraser and threshold brush. */
export interface BrushSettings {
  /** Brush radius in millimetres. */
  radiusMm: number;
  /** A circle on the slice, or a sphere across slices. */
  shape: 'circle' | 'sphere';
}

/** Callbacks of the viewer's own tools. */
export interface ToolCallbacks {
  onCursorPlaced: CursorPlacedCallback;
  onContourCompleted: ContourCompletedCallback;
  onFillClick: FillClickCallback;
  onCommentPin: CommentPinCallback;
}

/** Tool group id of a viewport. */
function groupId(viewportId: string): string {
  return `tools-${viewportId}`;
}

/** Create a tool group for each viewport with every tool and the fixed bindings. */
export function createToolGroups(viewports: Array<{ viewportId: string; volumeId: string }>, renderingEngineId: string, callbacks: ToolCallbacks): void {
  for (const { viewportId, volumeId } of viewports) {
    const group = ToolGroupManager.createToolGroup(groupId(viewportId));
    if (!group) {
      throw new Error(`tool group for ${viewportId} already exists`);
    }
    addTools(group, volumeId, callbacks);
    group.addViewport(viewportId, renderingEngineId);
    group.setToolActive(CursorTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Shift }] });
    group.setToolActive(WindowLevelTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
    group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
    group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
    group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel, modifierKey: KeyboardBindings.Ctrl }] });
  }
}

function addTools(group: ToolTypes.IToolGroup, volumeId: string, callbacks: ToolCallbacks): void {
  group.addTool(CursorTool.toolName, { onPlace: callbacks.onCursorPlaced });
  group.addTool(WindowLevelTool.toolName);
  group.addTool(PanTool.toolName);
  group.addTool(ZoomTool.toolName, { minZoomScale: 0.2, maxZoomScale: 20 });
  group.addTool(StackScrollTool.toolName, { invert: false });
  group.addTool(FillClickTool.toolName, { onFill: callbacks.onFillClick });
  group.addTool(CommentPinTool.toolName, { onPin: callbacks.onCommentPin });
  group.addTool(FreehandFillTool.toolName, { onComplete: callbacks.onContourCompleted });
  group.addToolInstance('FreehandErase', FreehandFillTool.toolName, { onComplete: callbacks.onContourCompleted, erase: true });
  const brush = { brushSize: 4, preview: { enabled: false } };
  group.addToolInstance('Paint', BrushTool.toolName, { ...brush, activeStrategy: 'FILL_INSIDE_CIRCLE' });
  group.addToolInstance('Erase', BrushTool.toolName, { ...brush, activeStrategy: 'ERASE_INSIDE_CIRCLE' });
  // The threshold compares against this viewport's own volume, whatever volume the labelmap came from.
  group.addToolInstance('ThresholdPaint', BrushTool.toolName, {
    ...brush,
    activeStrategy: 'THRESHOLD_INSIDE_CIRCLE',
    threshold: { volumeId, range: [0, 0], isDynamic: false },
  });
}

/**
 * Bind the left button of one viewport to `tool`, or to nothing when `allowed` is false
 * (a painting tool for a region that may not be painted there).
 */
export function setPrimaryTool(viewportId: string, tool: ToolKey, allowed: boolean): void {
  const group = ToolGroupManager.getToolGroup(groupId(viewportId));
  if (!group) {
    return;
  }
  const current = group.getActivePrimaryMouseButtonTool();
  if (current) {
    group.setToolPassive(current);
  }
  if (allowed) {
    group.setToolActive(TOOL_NAMES[tool], { bindings: [{ mouseButton: MouseBindings.Primary }] });
  }
}

/** Apply brush radius and shape to the brush, eraser and threshold brush of every viewport. */
export function setBrushSettings(viewportIds: string[], settings: BrushSettings): void {
  const sphere = settings.shape === 'sphere';
  const strategies: Record<string, string> = {
    Paint: sphere ? 'FILL_INSIDE_SPHERE' : 'FILL_INSIDE_CIRCLE',
    Erase: sphere ? 'ERASE_INSIDE_SPHERE' : 'ERASE_INSIDE_CIRCLE',
    ThresholdPaint: sphere ? 'THRESHOLD_INSIDE_SPHERE' : 'THRESHOLD_INSIDE_CIRCLE',
  };
  for (const viewportId of viewportIds) {
    const group = ToolGroupManager.getToolGroup(groupId(viewportId));
    for (const [name, strategy] of Object.entries(strategies)) {
      group?.setToolConfiguration(name, { brushSize: settings.radiusMm, activeStrategy: strategy });
    }
  }
}

/** Set the intensity range of one viewport's threshold brush (in its volume's units). */
export function setThresholdRange(viewportId: string, volumeId: string, lower: number, upper: number): void {
  const group = ToolGroupManager.getToolGroup(groupId(viewportId));
  group?.setToolConfiguration('ThresholdPaint', { threshold: { volumeId, range: [lower, upper], isDynamic: false } });
}
