/**
 * A small fetch wrapper for the API. The browser session is an HttpOnly cookie; requests
 * that change something also send the CSRF token the sign-in returned.
 */
const CSRF_KEY = 'sluice.csrf';

export const setCsrfToken = (token: string | null) => (token ? sessionStorage.setItem(CSRF_KEY, token) : sessionStorage.removeItem(CSRF_KEY));

export type ApiError = { code: string; message: string; fields?: Record<string, string[]> };

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const csrf = sessionStorage.getItem(CSRF_KEY);
  const method = (init.method ?? 'GET').toUpperCase();
  const response = await fetch(`/api/v1${path}`, {
    ...init,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', ...(csrf && method !== 'GET' ? { 'x-csrf-token': csrf } : {}), ...init.headers },
  });
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => ({}))) as T & { error?: ApiError };
  if (!response.ok) throw Object.assign(new Error(body.error?.message ?? `Request failed (${response.status})`), { detail: body.error, status: response.status });
  return body;
}
