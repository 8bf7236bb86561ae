/**
 * JSON requests to the workflow API (submit, exclude, recall, review, grade). Each returns a
 * typed outcome instead of throwing, because the viewer shows the server's refusal to the user:
 * its `detail` is translated into the user's language and says what to do next.
 */

/** The outcome of a workflow request. */
export type ApiOutcome<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; code: string; detail: string; params: Record<string, unknown> };

/** Send `body` as JSON with the CSRF token; status 0 in the outcome means no response arrived. */
export async function sendJson<T>(url: string, method: 'POST' | 'PUT', body: unknown, csrfToken: string): Promise<ApiOutcome<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken, Accept: 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  } catch (error) {
    return { ok: false, status: 0, code: 'NETWORK_ERROR', detail: String(error), params: {} };
  }
  const parsed = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.ok) {
    return { ok: true, status: response.status, body: parsed as T };
  }
  return {
    ok: false,
    status: response.status,
    code: typeof parsed.code === 'string' ? parsed.code : `HTTP_${response.status}`,
    detail: errorDetail(parsed, response),
    params: (parsed.params as Record<string, unknown> | undefined) ?? {},
  };
}

/**
 * Return the message of an error body: the platform's `detail`, or the field messages of a
 * validation error ({"field": ["message"]}), or the HTTP status text.
 */
export function errorDetail(body: Record<string, unknown>, response: { status: number; statusText: string }): string {
  if (typeof body.detail === 'string' && body.detail) {
    return body.detail;
  }
  const fields = Object.entries(body)
    .filter(([, value]) => Array.isArray(value) || typeof value === 'string')
    .map(([field, value]) => `${field}: ${Array.isArray(value) ? value.map(String).join(' ') : String(value)}`);
  if (fields.length) {
    return fields.join('; ');
  }
  return `HTTP ${response.status} ${response.statusText}`.trim();
}
