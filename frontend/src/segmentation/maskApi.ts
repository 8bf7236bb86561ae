/**
 * The mask version API of the platform: list, fetch, save and restore versions of a case's mask.
 * Saves and restores return a typed outcome instead of throwing for the responses the viewer must
 * act on: a stale base version, a rejected mask, no network, or a server error worth retrying.
 */

import { apiUrl, type MaskVersion, type ViewerConfig } from '../viewer/config';
import { gunzipBytes, gzipBytes, isGzip, sha256Hex, xorDelta } from './maskPayload';
import type { PaintOverride } from '../tools/paintPermission';

/** The outcome of a save or restore. */
export type SaveOutcome =
  | { kind: 'saved'; version: MaskVersion }
  | { kind: 'stale'; current: MaskVersion | null; detail: string }
  | { kind: 'rejected'; code: string; detail: string }
  | { kind: 'offline'; detail: string }
  | { kind: 'failed'; detail: string };

/** A mask ready to send: gzip bytes of the raw bitmask (or of its XOR with the base) and its checksum. */
export interface MaskPayload {
  body: Uint8Array;
  kind: 'full' | 'xor-delta';
  checksum: string;
}

/** Build the payload of a full save: gzip of the raw bitmask and its SHA-256. */
export async function fullPayload(mask: Uint8Array): Promise<MaskPayload> {
  const [checksum, body] = await Promise.all([sha256Hex(mask), gzipBytes(mask)]);
  return { body, kind: 'full', checksum };
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

/** The raw bitmask of a version, checked against its SHA-256 when one is given. */
export async function fetchMaskData(config: ViewerConfig, versionId: number, checksum?: string): Promise<Uint8Array> {
  const url = apiUrl(config.api.version_data, versionId);
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) {
    throw new Error(`${url} returned HTTP ${response.status}`);
  }
  let bytes: Uint8Array = new Uint8Array(await response.arrayBuffer());
  // The server sends Content-Encoding: gzip, which fetch inflates; inflate here if it did not.
  if (isGzip(bytes)) {
    bytes = await gunzipBytes(bytes);
  }
  if (checksum && (await sha256Hex(bytes)) !== checksum) {
    throw new Error(`mask version ${versionId} arrived damaged: its SHA-256 does not match`);
  }
  return bytes;
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
