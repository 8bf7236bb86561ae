/**
 * The information drawn over a viewport: the sequence name and the regions painted on it, the
 * slice number, window and level, the patient-direction letters at the four edges, the linked
 * cursor, and a message line for refusals.
 */

import type { SequenceSource } from './config';
import { t } from '../i18n';

const SVG_NS = 'http://www.w3.org/2000/svg';
// Half the gap, in CSS pixels, that the cursor lines leave around the cursor voxel.
const CURSOR_GAP_PX = 10;

export class ViewportOverlay {
  readonly root: HTMLElement;
  private readonly title: HTMLElement;
  private readonly slice: HTMLElement;
  private readonly window: HTMLElement;
  private readonly message: HTMLElement;
  private readonly edges: Record<'top' | 'bottom' | 'left' | 'right', HTMLElement>;
  private readonly cursorLines: SVGPathElement;
  private messageTimer = 0;

  constructor(frame: HTMLElement, sequence: SequenceSource) {
    this.root = element('div', 'viewport-overlay');
    this.title = element('div', 'overlay-title');
    this.title.textContent = sequence.name;
    this.slice = element('div', 'overlay-slice');
    this.window = element('div', 'overlay-window');
    this.message = element('div', 'overlay-message');
    this.message.setAttribute('role', 'status');
    this.edges = {
      top: element('div', 'edge edge-top'),
      bottom: element('div', 'edge edge-bottom'),
      left: element('div', 'edge edge-left'),
      right: element('div', 'edge edge-right'),
    };
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.classList.add('overlay-cursor');
    this.cursorLines = document.createElementNS(SVG_NS, 'path');
    svg.append(this.cursorLines);
    this.root.append(svg, this.title, this.slice, this.window, this.message, ...Object.values(this.edges));
    frame.append(this.root);
  }

  /** Show the regions painted on this sequence next to its name, as colour-keyed tags. */
  setRegionTags(tags: Array<{ key: string; color: string; active: boolean }>): void {
    this.title.querySelectorAll('.region-tag').forEach((tag) => tag.remove());
    for (const { key, color, active } of tags) {
      const tag = element('span', active ? 'region-tag active' : 'region-tag');
      tag.textContent = key;
      tag.style.setProperty('--region-color', color);
      this.title.append(tag);
    }
  }

  /** Show a 1-based slice number out of the slice count. */
  setSlice(index: number, count: number): void {
    this.slice.textContent = t('viewer.slice', { index: index + 1, count });
  }

  /** Show window width and centre (level) in the volume's intensity units. */
  setWindow(width: number, center: number): void {
    this.window.textContent = t('viewer.window', { width: Math.round(width), level: Math.round(center) });
  }

  setEdgeLabels(labels: { top: string; bottom: string; left: string; right: string }): void {
    for (const side of ['top', 'bottom', 'left', 'right'] as const) {
      this.edges[side].textContent = labels[side];
    }
  }

  /** Draw the cursor lines through a canvas point (CSS pixels), or hide them with null. */
  setCursor(point: [number, number] | null, width: number, height: number): void {
    if (!point || point[0] < 0 || point[1] < 0 || point[0] > width || point[1] > height) {
      this.cursorLines.setAttribute('d', '');
      return;
    }
    const [x, y] = point;
    const gap = CURSOR_GAP_PX;
    this.cursorLines.setAttribute(
      'd',
      `M0 ${y}H${x - gap}M${x + gap} ${y}H${width}M${x} 0V${y - gap}M${x} ${y + gap}V${height}`,
    );
  }

  /** Show a message over the viewport for a few seconds. */
  flash(text: string, durationMs = 4000): void {
    this.message.textContent = text;
    this.message.classList.add('visible');
    window.clearTimeout(this.messageTimer);
    this.messageTimer = window.setTimeout(() => this.message.classList.remove('visible'), durationMs);
  }
}

function element(tag: string, className: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  return node;
}
