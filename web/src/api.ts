/** A small fetch wrapper for the API. The token lives in sessionStorage until cookie sessions land. */
const TOKEN_KEY = 'sluice.token';

export const getToken = () => sessionStorage.getItem(TOKEN_KEY);
export const setToken = (token: string | null) => (token ? sessionStorage.setItem(TOKEN_KEY, token) : sessionStorage.removeItem(TOKEN_KEY));

export type ApiError = { code: string; message: string; fields?: Record<string, string[]> };

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const token = getToken();
  const response = await fetch(`/api/v1${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
  });
  const body = (await response.json().catch(() => ({}))) as T & { error?: ApiError };
  if (!response.ok) throw Object.assign(new Error(body.error?.message ?? `Request failed (${response.status})`), { detail: body.error });
  return body;
}
