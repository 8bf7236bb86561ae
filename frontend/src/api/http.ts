/** The CSRF token Django sets in its cookie; unsafe requests must echo it in a header. */
export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : '';
}

/** An error body of the platform API: a code, a translated detail and its parameters. */
export interface ApiError {
  code?: string;
  detail?: string;
  params?: Record<string, unknown>;
}

/** GET a JSON resource of the platform API with the session cookie. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) {
    throw new Error(`${url} answered HTTP ${response.status}`);
  }
  return (await response.json()) as T;
}
