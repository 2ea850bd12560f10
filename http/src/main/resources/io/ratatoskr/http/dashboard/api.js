// Calls to the admin API of the broker that served this page (same origin, so no CORS).
// The bearer token (or 'user:password'), when the broker asks for one, lives in sessionStorage: gone when
// the tab closes.

const TOKEN_KEY = 'ratatoskr.token';
const TIMEOUT_MS = 5000;

/** A failed call: the HTTP status (0 when the broker did not answer) and the catalogue code. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

/** RFC 7617: base64 of the UTF-8 bytes. */
function base64(text) {
  let binary = '';
  for (const b of new TextEncoder().encode(text)) {
    binary += String.fromCharCode(b);
  }
  return btoa(binary);
}

/**
 * Calls the API and returns the parsed JSON body (null for 204). Any answer other than 2xx throws an
 * ApiError carrying the broker's message; `okStatuses` lists other statuses whose body is wanted
 * (e.g. 503 from /ready, which still says which check failed).
 */
export async function call(method, path, { body, okStatuses = [] } = {}) {
  const headers = { Accept: 'application/json' };
  const t = token();
  if (t) {
    // A token never holds ':' (RFC 6750 b64token); 'user:password' logs in as a user of the password file.
    headers.Authorization = t.includes(':') ? `Basic ${base64(t)}` : `Bearer ${t}`;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    const why = e.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : 'broker unreachable';
    throw new ApiError(0, 'unreachable', `${method} ${path}: ${why}`);
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (response.ok || okStatuses.includes(response.status)) {
    return json;
  }
  const code = json && json.error ? json.error : `http_${response.status}`;
  const message = json && json.message ? json.message : `${method} ${path}: HTTP ${response.status}`;
  throw new ApiError(response.status, code, message);
}
