/**
 * Start-up of Cornerstone3D for the annotation viewer: the core, the tools library, and the tool
 * classes the viewer uses. This is one of the few modules that import Cornerstone; the others
 * are the viewer/, segmentation/ and tools/ modules that wrap it for the UI.
 */

import { init as initCore, RenderingEngine } from '@cornerstonejs/core';
import {
  addTool,
  BrushTool,
  init as initTools,
  PanTool,
  StackScrollTool,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';

import { CommentPinTool } from '../tools/CommentPinTool';
import { CursorTool } from '../tools/CursorTool';
import { FillClickTool } from '../tools/FillClickTool';
import { FreehandFillTool } from '../tools/FreehandFillTool';

/** Id of the viewer's one rendering engine. */
export const RENDERING_ENGINE_ID = 'annotation-viewer';

let engine: RenderingEngine | null = null;

/** Start Cornerstone and register the tool classes; safe to call once per page. */
export async function initCornerstone(): Promise<RenderingEngine> {
  if (engine) {
    return engine;
  }
  await initCore();
  initTools();
  for (const tool of [BrushTool, PanTool, StackScrollTool, WindowLevelTool, ZoomTool, CursorTool, FillClickTool, FreehandFillTool, CommentPinTool]) {
    addTool(tool);
  }
  engine = new RenderingEngine(RENDERING_ENGINE_ID);
  return engine;
}
