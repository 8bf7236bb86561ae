/**
 * The information drawn over a viewport: the sequence name, its image quality grade and the
 * regions painted on it, the slice number, window and level, the patient-direction letters at
 * the four edges, the linked cursor, review comment markers, and a message line for refusals.
 */

import type { SequenceSource } from './config';
import { t } from '../i18n';

/** A comment marker at a canvas point (CSS pixels) of the viewport. */
export interface OverlayMarker {
  id: number;
  x: number;
  y: number;
  /** The comment's number in the comment list. */
  number: number;
  color: string;
  /** Region, author and text, shown on hover and when the marker is selected. */
  title: string;
  /** A comment of the review in progress, not sent yet. */
  draft: boolean;
  selected: boolean;
}

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
  private readonly quality: HTMLElement;
  private readonly markers: HTMLElement;
  private markerSignature = '';
  private messageTimer = 0;

  constructor(frame: HTMLElement, sequence: SequenceSource) {
    this.root = element('div', 'viewport-overlay');
    this.title = element('div', 'overlay-title');
    this.title.textContent = sequence.name;
    // Bottom right, where no other overlay text sits, so long sequence names do not push it.
    this.quality = element('span', 'quality-tag');
    this.quality.hidden = true;
    this.markers = element('div', 'comment-markers');
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
    this.root.append(svg, this.markers, this.title, this.slice, this.window, this.quality, this.message, ...Object.values(this.edges));
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

  /** Show the sequence's image quality grade; `level` colours it. */
  setQuality(text: string, level: 'ok' | 'low' | 'missing'): void {
    this.quality.textContent = text;
    this.quality.dataset.level = level;
    this.quality.hidden = false;
  }

  /**
   * Draw comment markers (replacing the previous ones); `onSelect` runs with a marker's comment
   * id when it is clicked. Markers are rebuilt only when their content or position changed.
   */
  setMarkers(markers: OverlayMarker[], onSelect: (id: number) => void): void {
    const signature = JSON.stringify(markers.map((marker) => [marker.id, Math.round(marker.x), Math.round(marker.y), marker.number, marker.selected, marker.title]));
    if (signature === this.markerSignature) {
      return;
    }
    this.markerSignature = signature;
    const width = this.markers.clientWidth;
    this.markers.replaceChildren(...markers.map((marker) => markerElement(marker, width, onSelect)));
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

// The popover's distance from its marker (1rem in viewer.css), the gap it keeps to the viewport
// edge, and its least width on a very narrow viewport.
const POPOVER_OFFSET_PX = 16;
const POPOVER_MARGIN_PX = 6;
const POPOVER_MIN_WIDTH_PX = 120;

function markerElement(marker: OverlayMarker, viewportWidth: number, onSelect: (id: number) => void): HTMLElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `comment-marker${marker.draft ? ' draft' : ''}${marker.selected ? ' selected' : ''}`;
  button.dataset.comment = String(marker.id);
  button.style.left = `${marker.x}px`;
  button.style.top = `${marker.y}px`;
  button.style.setProperty('--region-color', marker.color);
  button.textContent = String(marker.number);
  button.title = marker.title;
  button.setAttribute('aria-label', marker.title);
  button.addEventListener('click', (event) => {
    event.stopPropagation();
    onSelect(marker.id);
  });
  if (!marker.selected) {
    return button;
  }
  const wrapper = element('div', 'comment-pin');
  wrapper.style.left = `${marker.x}px`;
  wrapper.style.top = `${marker.y}px`;
  button.style.left = '0';
  button.style.top = '0';
  // The viewport clips what overflows it, so the note opens towards the wider side of the
  // marker and is no wider than the room there.
  const roomRight = viewportWidth - marker.x - POPOVER_OFFSET_PX - POPOVER_MARGIN_PX;
  const roomLeft = marker.x - POPOVER_OFFSET_PX - POPOVER_MARGIN_PX;
  const leftwards = roomLeft > roomRight;
  const note = element('div', leftwards ? 'comment-popover leftwards' : 'comment-popover');
  note.style.maxWidth = `min(18rem, ${Math.round(Math.max(leftwards ? roomLeft : roomRight, POPOVER_MIN_WIDTH_PX))}px)`;
  note.textContent = marker.title;
  wrapper.append(button, note);
  return wrapper;
}

function element(tag: string, className: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  return node;
}
