// The one way the UI talks to incidentd: same-origin fetch with the session cookie, the CSRF token on unsafe
// methods, problem+json errors turned into ApiError, and a 401 sending the user back to sign-in.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.field = this.problem.field || null;
    this.retryAfter = null;
  }
}

let session = null;
let onSignedOut = () => {};

export function currentSession() { return session; }
export function setSession(s) { session = s; }
export function whenSignedOut(fn) { onSignedOut = fn; }

// What each role may do, as the server's permission table (docs/api.md); the server enforces it anyway.
const PERMISSIONS = {
  viewer: ['read'],
  ingest: ['ingest'],
  responder: ['read', 'ingest', 'respond'],
  commander: ['read', 'ingest', 'respond', 'command', 'communicate'],
  communicator: ['read', 'communicate'],
  admin: ['read', 'ingest', 'respond', 'command', 'communicate', 'admin'],
};

export function may(permission) {
  return !!session && (PERMISSIONS[session.role] || []).includes(permission);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (UNSAFE.has(method) && session && session.csrf_token) headers['X-CSRF-Token'] = session.csrf_token;
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, { title: 'incidentd cannot be reached', detail: `incidentd cannot be reached (${err.message})` });
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    const err = new ApiError(res.status, data && typeof data === 'object' ? data : { detail: String(data || '') });
    err.retryAfter = res.headers.get('Retry-After');
    if (res.status === 401 && path !== '/api/v1/session') {
      session = null;
      onSignedOut();
    }
    throw err;
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);
export const del = (path) => api('DELETE', path);

// Encodes a path segment (schedule names, window ids).
export const seg = (s) => encodeURIComponent(String(s));

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
