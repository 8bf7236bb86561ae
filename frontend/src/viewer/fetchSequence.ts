/**
 * Download and decoding of one sequence of the case, without Cornerstone, so the page can start
 * it before the viewer's large script has loaded.
 *
 * The server sends each sequence as a .nii.gz already resampled onto the study's reference grid.
 * The browser inflates it with its native DecompressionStream as the bytes arrive. A file whose
 * shape or affine disagrees with the grid is rejected rather than shown misaligned.
 *
 * NOTE: inflating runs on the main thread on purpose. In headless Chromium on a 2-core machine,
 * DecompressionStream inflated a 240x240x155 int16 volume in about 75 ms on the main thread but
 * in 550-740 ms inside four parallel web workers.
 *
 * NOTE: this replaces @cornerstonejs/nifti-volume-loader 5.0.13 on purpose. That loader fetches
 * each file twice (once for the header, once for the voxels), inflates it with JavaScript on the
 * main thread, and applies scl_slope only when scl_inter is also non-zero.
 */

import type { Affine } from './geometry';
import { decodeNifti, type DecodedNifti } from './niftiDecode';

// Largest difference, in mm, between a file's affine and the grid's before the file is rejected.
const AFFINE_TOLERANCE_MM = 1e-3;

/** Fetch, inflate and decode a sequence; throws an Error naming the problem. */
export async function fetchSequence(url: string, grid: { shape: number[]; affine: Affine }): Promise<DecodedNifti> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) {
    throw new Error(`${url} returned HTTP ${response.status}`);
  }
  const decoded = decodeNifti(await inflatedBody(response));
  checkOnGrid(url, decoded.dimensions, decoded.affine, grid);
  return decoded;
}

/**
 * Read the response body, inflated. A .nii.gz is inflated while it streams in, unless the server
 * sent it with Content-Encoding: gzip, which the browser has inflated already.
 */
async function inflatedBody(response: Response): Promise<ArrayBuffer> {
  const encoded = (response.headers.get('Content-Encoding') ?? '').includes('gzip');
  const type = response.headers.get('Content-Type') ?? '';
  const gzipped = !encoded && (type.includes('gzip') || new URL(response.url, location.href).pathname.endsWith('.gz'));
  if (!gzipped || !response.body) {
    return response.arrayBuffer();
  }
  return new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
}

function checkOnGrid(
  url: string,
  dimensions: number[],
  affine: number[][],
  grid: { shape: number[]; affine: Affine },
): void {
  if (dimensions.some((size, axis) => size !== grid.shape[axis])) {
    throw new Error(`${url} has shape ${dimensions.join('x')}, the reference grid is ${grid.shape.slice(0, 3).join('x')}`);
  }
  for (let row = 0; row < 3; row++) {
    for (let column = 0; column < 4; column++) {
      if (Math.abs(affine[row][column] - grid.affine[row][column]) > AFFINE_TOLERANCE_MM) {
        throw new Error(`${url} is not on the reference grid: its affine differs at [${row}][${column}]`);
      }
    }
  }
}
