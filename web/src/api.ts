/**
 * A small fetch wrapper for the API. The browser session is an HttpOnly cookie; requests
 * that change something also send the session's CSRF token. Sign-in returns it; a tab that
 * did not sign in itself (a second tab, a reload) asks `/auth/session` for it. It is kept
 * in memory only: the cookie is what survives, and the token follows from it.
 */
let csrfToken: string | null = null;
let pendingCsrf: Promise<string | null> | null = null;

export const setCsrfToken = (token: string | null) => {
  csrfToken = token;
  pendingCsrf = null;
};

export type ApiError = { code: string; message: string; fields?: Record<string, string[]> };
/** What `api` throws: the Error, with the HTTP status and the API's error body. */
export type ApiFailure = Error & { status?: number; detail?: ApiError };
export const failureOf = (error: unknown): ApiFailure => (error instanceof Error ? (error as ApiFailure) : new Error(String(error)));

// These open a session (or need none): asking for a token first would only cost a request.
const WITHOUT_CSRF = new Set(['/auth/sign-in', '/auth/accept-invitation']);

/** The session's CSRF token, fetched once when this tab has none; null when not signed in. */
function sessionCsrf(): Promise<string | null> {
  if (csrfToken !== null) return Promise.resolve(csrfToken);
  pendingCsrf ??= request<{ csrf_token: string | null }>('/auth/session', {}, null)
    .then((session) => (csrfToken = session.csrf_token))
    .catch(() => null)
    .finally(() => (pendingCsrf = null));
  return pendingCsrf;
}

async function request<T>(path: string, init: RequestInit, csrf: string | null): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    ...init,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}), ...init.headers },
  });
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => ({}))) as T & { error?: ApiError };
  if (!response.ok) throw Object.assign(new Error(body.error?.message ?? `Request failed (${response.status})`), { detail: body.error, status: response.status });
  return body;
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const method = (init.method ?? 'GET').toUpperCase();
  const changes = method !== 'GET' && method !== 'HEAD' && !WITHOUT_CSRF.has(path);
  return request<T>(path, init, changes ? await sessionCsrf() : null);
}
