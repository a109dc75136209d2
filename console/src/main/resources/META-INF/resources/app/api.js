// Calls to the console's /api/** (forwarded to the services) and /console/**.
// Every call carries X-Requested-With: the console refuses changes without it (CSRF) and answers an expired
// session with 499 instead of a login redirect; the page then reloads to log in again.

export class ApiError extends Error {
  constructor(status, title, detail, errors) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors || [];
  }
}

const SESSION_EXPIRED = 499;

/** The readable error of a failed response: problem+json's title and detail, else the status line. */
async function failure(response) {
  let body = null;
  if ((response.headers.get('content-type') || '').includes('json')) {
    try { body = await response.json(); } catch { /* not JSON after all */ }
  }
  const title = (body && body.title) || response.statusText || 'Request failed';
  const detail = body && body.detail;
  return new ApiError(response.status, `${title} (HTTP ${response.status})`, detail, body && body.errors);
}

/**
 * fetch with the console's rules. opts: method, json (a body to send as JSON), text (a text/plain body), signal.
 * Resolves to the parsed JSON (or text, or null for 204); rejects with an ApiError.
 */
export async function api(path, opts = {}) {
  const headers = { 'X-Requested-With': 'JavaScript', Accept: 'application/json, application/problem+json' };
  let body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.text !== undefined) {
    headers['Content-Type'] = 'text/plain; charset=utf-8';
    body = opts.text;
  }
  let response;
  try {
    response = await fetch(path, { method: opts.method || 'GET', headers, body, signal: opts.signal,
      credentials: 'same-origin' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'The console cannot be reached', 'check the network and try again');
  }
  if (response.status === SESSION_EXPIRED) {
    location.reload();
    throw new ApiError(SESSION_EXPIRED, 'Your session has expired', 'logging in again…');
  }
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') || '';
  return type.includes('json') ? response.json() : response.text();
}

/** A query string from an object; arrays repeat the key, empty values are left out. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one !== undefined && one !== null && one !== '' && one !== false) q.append(k, String(one));
    }
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The path of a project's API: projectPath('demo', 'mrns') → /api/projects/demo/mrns */
export const projectPath = (key, ...rest) =>
  ['/api/projects', encodeURIComponent(key), ...rest.map(String)].join('/');

/**
 * GET of a possibly large text (a payload): reads at most limit bytes and stops there.
 * Resolves to { text, truncated, bytes } (bytes: Content-Length when known).
 */
export async function fetchText(path, limit) {
  const response = await fetch(path, { headers: { 'X-Requested-With': 'JavaScript' }, credentials: 'same-origin' });
  if (response.status === SESSION_EXPIRED) { location.reload(); throw new ApiError(SESSION_EXPIRED, 'Your session has expired'); }
  if (!response.ok) throw await failure(response);
  const bytes = Number(response.headers.get('content-length')) || null;
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size >= limit) { truncated = true; reader.cancel(); break; }
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  return { text: new TextDecoder().decode(all.subarray(0, Math.min(size, limit))), truncated, bytes };
}
