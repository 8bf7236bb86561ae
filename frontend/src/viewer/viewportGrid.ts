/**
 * The four viewports: one Cornerstone orthographic volume viewport per sequence, laid out 2x2
 * in the protocol's viewer order, with a 1x1 layout that enlarges one of them.
 */

import { Enums as CoreEnums, type RenderingEngine, type Types } from '@cornerstonejs/core';

import type { SequenceSource } from './config';
import { ViewportOverlay } from './viewportOverlay';

/** One viewport of the grid and the DOM around it. */
export interface ViewportEntry {
  sequence: SequenceSource;
  viewportId: string;
  /** The frame that contains the Cornerstone element and the overlay. */
  frame: HTMLElement;
  /** The element Cornerstone renders into. */
  element: HTMLDivElement;
  overlay: ViewportOverlay;
}

/** Viewport id of a sequence. */
export function viewportIdOf(sequenceKey: string): string {
  return `viewport-${sequenceKey}`;
}

export class ViewportGrid {
  readonly entries: ViewportEntry[];
  private enlarged: string | null = null;

  constructor(
    private readonly container: HTMLElement,
    sequences: SequenceSource[],
    private readonly engine: RenderingEngine,
  ) {
    container.classList.add('viewport-grid');
    this.entries = sequences.map((sequence) => this.createEntry(sequence));
    engine.setViewports(
      this.entries.map((entry) => ({
        viewportId: entry.viewportId,
        type: CoreEnums.ViewportType.ORTHOGRAPHIC,
        element: entry.element,
        defaultOptions: { orientation: CoreEnums.OrientationAxis.AXIAL, background: [0, 0, 0] as Types.Point3 },
      })),
    );
  }

  /** Ids of all viewports, in layout order. */
  viewportIds(): string[] {
    return this.entries.map((entry) => entry.viewportId);
  }

  /** Return the volume viewport of an entry. */
  viewport(viewportId: string): Types.IVolumeViewport {
    return this.engine.getViewport(viewportId) as Types.IVolumeViewport;
  }

  /** Return the entry of a viewport id or sequence key, if the case has it. */
  find(id: string): ViewportEntry | undefined {
    return this.entries.find((entry) => entry.viewportId === id || entry.sequence.key === id);
  }

  /** Return the viewport shown alone, or null in the 2x2 layout. */
  enlargedViewport(): string | null {
    return this.enlarged;
  }

  /** Show one viewport alone (1x1), or all of them again with null. Cameras are kept. */
  setEnlarged(viewportId: string | null): void {
    this.enlarged = viewportId;
    this.container.classList.toggle('single', viewportId !== null);
    for (const entry of this.entries) {
      entry.frame.classList.toggle('enlarged', entry.viewportId === viewportId);
    }
    this.engine.resize(true, true);
  }

  /** Resize the canvases after the container changed size; cameras are kept. */
  resize(): void {
    this.engine.resize(true, true);
  }

  private createEntry(sequence: SequenceSource): ViewportEntry {
    const frame = document.createElement('section');
    frame.className = 'viewport-frame';
    frame.dataset.sequence = sequence.key;
    const element = document.createElement('div');
    element.className = 'viewport-element';
    element.oncontextmenu = (event) => event.preventDefault();
    frame.append(element);
    const overlay = new ViewportOverlay(frame, sequence);
    this.container.append(frame);
    return { sequence, viewportId: viewportIdOf(sequence.key), frame, element, overlay };
  }
}
