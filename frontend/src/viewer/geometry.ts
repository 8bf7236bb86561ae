/**
 * Geometry of the study's reference grid: NIfTI voxel indices (IJK) and Cornerstone world
 * coordinates (patient LPS, millimetres).
 *
 * The server describes the grid with its NIfTI affine, which maps IJK to RAS+ millimetres. DICOM
 * and Cornerstone use LPS, so the x and y rows of the affine change sign here and nowhere else.
 * Voxel data is never reordered: IJK index i + nx * (j + ny * k) is the same voxel in the NIfTI
 * file, in the saved mask and in every Cornerstone volume of the case.
 */

export type Vec3 = [number, number, number];

/** A 4x4 NIfTI affine from IJK to RAS+ millimetres, row-major as nibabel lists it. */
export type Affine = number[][];

/** Grid geometry in Cornerstone's terms. */
export interface GridGeometry {
  dimensions: Vec3;
  /** Millimetres per voxel step along i, j and k. */
  spacing: Vec3;
  /** World (LPS, mm) position of voxel (0, 0, 0). */
  origin: Vec3;
  /** Unit LPS vectors of the i, j and k axes, concatenated (Cornerstone's `direction`). */
  direction: number[];
}

/** The three standard views of the viewer. */
export type Orientation = 'axial' | 'sagittal' | 'coronal';

/** Camera vectors (LPS) of each view, as Cornerstone's volume viewport sets them. */
export const VIEW_CAMERAS: Record<Orientation, { viewPlaneNormal: Vec3; viewUp: Vec3 }> = {
  // Seen from the feet with anterior up: the patient's left is on the image's right.
  axial: { viewPlaneNormal: [0, 0, -1], viewUp: [0, -1, 0] },
  // Seen from the patient's left with superior up: anterior is on the image's left.
  sagittal: { viewPlaneNormal: [1, 0, 0], viewUp: [0, 0, 1] },
  // Seen from the front with superior up: the patient's left is on the image's right.
  coronal: { viewPlaneNormal: [0, -1, 0], viewUp: [0, 0, 1] },
};

/** Convert a NIfTI RAS+ affine and shape into LPS geometry for Cornerstone. */
export function gridGeometry(shape: number[], affine: Affine): GridGeometry {
  if (shape.length < 3 || affine.length < 3 || affine.some((row) => row.length < 4)) {
    throw new Error(`invalid grid: shape ${JSON.stringify(shape)}, affine ${JSON.stringify(affine)}`);
  }
  const spacing: Vec3 = [0, 0, 0];
  const direction: number[] = [];
  for (let axis = 0; axis < 3; axis++) {
    const lps: Vec3 = [positiveZero(-affine[0][axis]), positiveZero(-affine[1][axis]), affine[2][axis]];
    const length = Math.hypot(...lps);
    if (!(length > 0)) {
      throw new Error(`grid axis ${axis} has zero length in the affine`);
    }
    spacing[axis] = length;
    direction.push(lps[0] / length, lps[1] / length, lps[2] / length);
  }
  return {
    dimensions: [shape[0], shape[1], shape[2]],
    spacing,
    origin: [positiveZero(-affine[0][3]), positiveZero(-affine[1][3]), affine[2][3]],
    direction,
  };
}

/** Negating 0 gives -0, which prints and compares confusingly; keep plain zeros. */
function positiveZero(value: number): number {
  return value === 0 ? 0 : value;
}

/** World (LPS, mm) position of a voxel centre or fractional IJK point. */
export function ijkToWorld(geometry: GridGeometry, ijk: Vec3): Vec3 {
  const { origin, spacing, direction } = geometry;
  const world: Vec3 = [origin[0], origin[1], origin[2]];
  for (let axis = 0; axis < 3; axis++) {
    const step = ijk[axis] * spacing[axis];
    for (let c = 0; c < 3; c++) {
      world[c] += direction[3 * axis + c] * step;
    }
  }
  return world;
}

/** Fractional IJK of a world (LPS, mm) point; round it to get the voxel that contains it. */
export function worldToIjk(geometry: GridGeometry, world: Vec3): Vec3 {
  const { origin, spacing, direction } = geometry;
  const offset = [world[0] - origin[0], world[1] - origin[1], world[2] - origin[2]];
  const ijk: Vec3 = [0, 0, 0];
  // The direction vectors are orthonormal on a grid from NIfTI, so projection inverts them.
  for (let axis = 0; axis < 3; axis++) {
    let dot = 0;
    for (let c = 0; c < 3; c++) {
      dot += direction[3 * axis + c] * offset[c];
    }
    ijk[axis] = dot / spacing[axis];
  }
  return ijk;
}

/** Return the IJK axis (0, 1 or 2) most nearly along a view's plane normal. */
export function viewAxis(geometry: GridGeometry, viewPlaneNormal: number[]): 0 | 1 | 2 {
  let best: 0 | 1 | 2 = 0;
  let bestDot = -1;
  for (const axis of [0, 1, 2] as const) {
    const d = geometry.direction.slice(3 * axis, 3 * axis + 3);
    const dot = Math.abs(d[0] * viewPlaneNormal[0] + d[1] * viewPlaneNormal[1] + d[2] * viewPlaneNormal[2]);
    if (dot > bestDot) {
      bestDot = dot;
      best = axis;
    }
  }
  return best;
}

/** Clamp a fractional IJK point to the nearest voxel inside the grid. */
export function nearestVoxel(geometry: GridGeometry, ijk: Vec3): Vec3 {
  return ijk.map((value, axis) =>
    Math.min(geometry.dimensions[axis] - 1, Math.max(0, Math.round(value))),
  ) as Vec3;
}

/**
 * Letters of the patient direction a world vector points to (R/L, A/P, S/I), strongest first.
 * Components below 0.25 of the vector are left out, so an axis-aligned view gets one letter.
 */
export function directionLetters(vector: number[]): string {
  const letters: Array<[number, string]> = [
    [vector[0], vector[0] > 0 ? 'L' : 'R'],
    [vector[1], vector[1] > 0 ? 'P' : 'A'],
    [vector[2], vector[2] > 0 ? 'S' : 'I'],
  ];
  const length = Math.hypot(vector[0], vector[1], vector[2]) || 1;
  return letters
    .filter(([component]) => Math.abs(component) / length >= 0.25)
    .sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]))
    .map(([, letter]) => letter)
    .join('');
}

/** Patient-direction letters at the four edges of a viewport with this camera. */
export function edgeLabels(viewUp: number[], viewPlaneNormal: number[]): {
  top: string;
  bottom: string;
  left: string;
  right: string;
} {
  // Cornerstone's screen-right vector is viewUp x viewPlaneNormal.
  const right = [
    viewUp[1] * viewPlaneNormal[2] - viewUp[2] * viewPlaneNormal[1],
    viewUp[2] * viewPlaneNormal[0] - viewUp[0] * viewPlaneNormal[2],
    viewUp[0] * viewPlaneNormal[1] - viewUp[1] * viewPlaneNormal[0],
  ];
  const negate = (v: number[]): number[] => v.map((x) => -x);
  return {
    top: directionLetters(viewUp),
    bottom: directionLetters(negate(viewUp)),
    right: directionLetters(right),
    left: directionLetters(negate(right)),
  };
}
