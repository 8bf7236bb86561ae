/**
 * The mask version API of the platform: list, fetch, save and restore versions of a case's mask.
 * Saves and restores return a typed outcome instead of throwing for the responses the viewer must
 * act on: a stale base version, a rejected mask, no network, or a server error worth retrying.
 */

import { apiUrl, type MaskVersion, type ViewerConfig } from '../viewer/config';
import type { Vec3 } from '../viewer/geometry';
import { boundingBox, expandBox, extractBox, formatBox, parseBox, type CropBox } from './cropEncoding';
import { gunzipBytes, gzipBytes, isGzip, sha256Hex, xorDelta } from './maskPayload';
import type { PaintOverride } from '../tools/paintPermission';

/** The outcome of a save or restore. */
export type SaveOutcome =
  | { kind: 'saved'; version: MaskVersion }
  | { kind: 'stale'; current: MaskVersion | null; detail: string }
  | { kind: 'rejected'; code: string; detail: string }
  | { kind: 'offline'; detail: string }
  | { kind: 'failed'; detail: string };

/**
 * A mask ready to send: gzip bytes of the bitmask's crop box (or of the whole grid XOR the base)
 * and the SHA-256 of the whole raw bitmask, which the server verifies after rebuilding it.
 */
export interface MaskPayload {
  body: Uint8Array;
  kind: 'crop' | 'xor-delta';
  checksum: string;
  /** The box the body fills, for kind crop. */
  crop?: CropBox;
}

/**
 * Build the payload of a save: gzip of the voxels inside the box around the mask's non-zero
 * voxels (NIfTI order) and the SHA-256 of the whole mask. An empty mask sends the empty box and
 * no voxels.
 */
export async function cropPayload(mask: Uint8Array, dimensions: Vec3): Promise<MaskPayload> {
  const crop = boundingBox(mask, dimensions);
  const [checksum, body] = await Promise.all([sha256Hex(mask), gzipBytes(extractBox(mask, dimensions, crop))]);
  return { body, kind: 'crop', checksum, crop };
}

/**
 * Build the payload of a delta save: gzip of base XOR mask, which is mostly zeros and so a few
 * kilobytes even for a large grid, small enough for a keep-alive request when the page closes.
 * The checksum is of the full resulting mask, which the server rebuilds and verifies.
 */
export async function deltaPayload(base: Uint8Array, mask: Uint8Array): Promise<MaskPayload> {
  const [checksum, body] = await Promise.all([sha256Hex(mask), gzipBytes(xorDelta(base, mask))]);
  return { body, kind: 'xor-delta', checksum };
}

/** POST a new version on top of `baseVersionId`. `keepalive` lets it outlive the page. */
export async function postMaskVersion(
  config: ViewerConfig,
  payload: MaskPayload,
  baseVersionId: number | null,
  overrides: PaintOverride[],
  keepalive = false,
): Promise<SaveOutcome> {
  const form = new FormData();
  form.append('mask', new Blob([payload.body as Uint8Array<ArrayBuffer>], { type: 'application/gzip' }), 'mask.bin.gz');
  form.append('encoding', 'gzip');
  form.append('kind', payload.kind);
  if (payload.crop) {
    form.append('crop', formatBox(payload.crop));
  }
  form.append('checksum', payload.checksum);
  form.append('base_version', baseVersionId === null ? '' : String(baseVersionId));
  form.append('overrides', JSON.stringify(overrides));
  return send(config, config.api.versions, { method: 'POST', body: form, keepalive });
}

/** POST a restore of an earlier version, which becomes the newest version. */
export async function postRestore(config: ViewerConfig, versionId: number, baseVersionId: number | null): Promise<SaveOutcome> {
  return send(config, apiUrl(config.api.restore, versionId), {
    method: 'POST',
    body: JSON.stringify({ base_version: baseVersionId }),
    headers: { 'Content-Type': 'application/json' },
  });
}

/** Fetch the versions of the case, newest first. */
export async function listVersions(config: ViewerConfig): Promise<MaskVersion[]> {
  const response = await fetch(config.api.versions, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) {
    throw new Error(`${config.api.versions} returned HTTP ${response.status}`);
  }
  return (await response.json()) as MaskVersion[];
}

/**
 * Fetch the raw bitmask of a version (the whole grid, NIfTI order), checked against its SHA-256
 * when one is given. The server sends the voxels of the version's crop box, named in the
 * X-Mask-Crop header; a response without that header holds the whole grid.
 */
export async function fetchMaskData(config: ViewerConfig, versionId: number, checksum?: string): Promise<Uint8Array> {
  const url = `${apiUrl(config.api.version_data, versionId)}?encoding=crop`;
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) {
    throw new Error(`${url} returned HTTP ${response.status}`);
  }
  let bytes: Uint8Array = new Uint8Array(await response.arrayBuffer());
  // The server sends Content-Encoding: gzip, which fetch inflates; inflate here if it did not.
  // Mask voxels hold region bits below 0x1f, so inflated bytes never start like gzip.
  if (isGzip(bytes)) {
    bytes = await gunzipBytes(bytes);
  }
  const dimensions = config.grid.shape.slice(0, 3) as Vec3;
  const box = parseBox(response.headers.get('X-Mask-Crop'), dimensions);
  const mask = box ? expandBox(dimensions, box, bytes) : bytes;
  if (checksum && (await sha256Hex(mask)) !== checksum) {
    throw new Error(`mask version ${versionId} arrived damaged: its SHA-256 does not match`);
  }
  return mask;
}

async function send(config: ViewerConfig, url: string, init: RequestInit): Promise<SaveOutcome> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      credentials: 'same-origin',
      headers: { ...(init.headers as Record<string, string>), 'X-CSRFToken': config.csrf_token, Accept: 'application/json' },
    });
  } catch (error) {
    return { kind: 'offline', detail: String(error) };
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.status === 201) {
    return { kind: 'saved', version: body as unknown as MaskVersion };
  }
  if (response.status === 409 && body.code === 'STALE_BASE_VERSION') {
    return { kind: 'stale', current: (body.current_version as MaskVersion | undefined) ?? null, detail: String(body.detail ?? '') };
  }
  if (response.status >= 500) {
    return { kind: 'failed', detail: `HTTP ${response.status}` };
  }
  return { kind: 'rejected', code: String(body.code ?? `HTTP_${response.status}`), detail: String(body.detail ?? response.statusText) };
}
