// The client of photosync's JSON API. The session is the HttpOnly cookie
// that POST /api/v1/session sets, so no token is ever held in script.

/** ApiError is an error answered by the API, with its code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }

  /** missingRoute reports whether this photosync lacks the route asked for. */
  get missingRoute() {
    return this.status === 404 && this.message === 'no such route';
  }
}

let onUnauthorized = () => {};

/** setUnauthorizedHandler sets what to do when the session has ended. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/**
 * api sends a request to /api/v1 and returns the decoded answer (null for
 * 204). It throws an ApiError with the API's own message, or one that
 * says photosync cannot be reached.
 */
export async function api(method, path, body) {
  const init = {method, headers: {Accept: 'application/json'}, credentials: 'same-origin'};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}`, init);
  } catch {
    throw new ApiError(0, 'ENETWORK', 'photosync cannot be reached. Check that it is running, then try again.');
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = data && data.error;
    const err = new ApiError(res.status, e ? e.code : 'EINTERNAL', e ? e.message : `photosync answered ${res.status} ${res.statusText}`);
    if (res.status === 401 && path !== '/session') onUnauthorized(err);
    throw err;
  }
  return data;
}

/** get is api('GET', path). */
export const get = (path) => api('GET', path);

/** post is api('POST', path, body). */
export const post = (path, body = {}) => api('POST', path, body);

/** put is api('PUT', path, body). */
export const put = (path, body) => api('PUT', path, body);

/** del is api('DELETE', path). */
export const del = (path) => api('DELETE', path);

/** query builds a query string of the non-empty values of params. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== '' && v != null) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// The accounts are asked for by several screens; they share one copy,
// refreshed whenever one of them changes an account.
let accounts = null;

/** loadAccounts returns the accounts, from the cache unless fresh is set. */
export async function loadAccounts(fresh = false) {
  if (!accounts || fresh) {
    accounts = get('/accounts').then((r) => r.accounts).catch((err) => {
      accounts = null;
      throw err;
    });
  }
  return accounts;
}

/** forgetAccounts drops the cached accounts, e.g. on sign-out. */
export function forgetAccounts() {
  accounts = null;
}

/** accountName returns the name of account id from a list, or "server N". */
export function accountName(list, id) {
  const a = list.find((x) => x.id === id);
  return a ? displayName(a) : `server ${id}`;
}

/** displayName is an account's name, or its host when it has none. */
export function displayName(a) {
  if (a.name) return a.name;
  try {
    return new URL(a.url).host;
  } catch {
    return a.url;
  }
}
