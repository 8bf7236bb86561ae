/**
 * Review comments drawn as numbered markers on the viewports. A marker appears in every viewport
 * whose slice contains the comment's voxel (the four viewports share one camera, so all or none
 * of them), at the voxel centre, in the colour of the comment's region. Markers follow every
 * render, so scrolling, zooming and panning move them with the image.
 */

import { Enums as CoreEnums, type Types } from '@cornerstonejs/core';

import type { Store } from '../state/store';
import { commentsOnSlice } from '../workflow/commentPlacement';
import type { CaseComment, DraftComment } from '../workflow/workflowConfig';
import { ijkToWorld, type GridGeometry } from './geometry';
import type { LinkedNavigation } from './linkedNavigation';
import type { OverlayMarker } from './viewportOverlay';
import type { ViewportEntry, ViewportGrid } from './viewportGrid';

/** Function returning a comment's text for its marker, shown on hover and in the popover. */
export type CommentDescriber = (comment: CaseComment | DraftComment) => string;

/** Every comment the markers show, stored ones first, numbered as the comment list numbers them. */
export function allComments(store: Store): Array<CaseComment | DraftComment> {
  return [...store.state.comments, ...store.state.draftComments];
}

/** Draw the store's comments on the viewports and keep them up to date; a click selects one. */
export function showCommentMarkers(
  grid: ViewportGrid,
  navigation: LinkedNavigation,
  geometry: GridGeometry,
  store: Store,
  colors: Map<string, string>,
  describe: CommentDescriber,
): void {
  const select = (id: number): void => store.update({ selectedComment: store.state.selectedComment === id ? null : id });
  const draw = (entry: ViewportEntry): void => {
    const viewport = grid.viewport(entry.viewportId);
    if (entry.element.clientWidth === 0) {
      return;
    }
    const slice = navigation.slicePosition(entry.viewportId);
    const markers: OverlayMarker[] = commentsOnSlice(allComments(store), slice).map(({ comment, number }) => {
      const [x, y] = viewport.worldToCanvas(ijkToWorld(geometry, comment.point_ijk) as Types.Point3);
      return {
        id: comment.id,
        x,
        y,
        number,
        color: colors.get(comment.region) ?? '#ffffff',
        title: describe(comment),
        draft: comment.id < 0,
        selected: comment.id === store.state.selectedComment,
      };
    });
    entry.overlay.setMarkers(markers, select);
  };
  for (const entry of grid.entries) {
    entry.element.addEventListener(CoreEnums.Events.IMAGE_RENDERED, () => draw(entry));
  }
  store.subscribe((_, changed) => {
    if (changed.has('comments') || changed.has('draftComments') || changed.has('selectedComment')) {
      grid.entries.forEach(draw);
    }
  });
  grid.entries.forEach(draw);
}
