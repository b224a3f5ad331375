// The HTTP API of the server that serves the page, with the token the user saved for this tab.

export const TOKEN_KEY = "hypatia.token";

/** An error the API answered, with its `code` and `message`. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(`${status} ${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

/** The token saved for this tab (session storage: it goes when the tab closes), or null. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** GETs `path` with `params` (empty values left out), with the saved token if any. */
export async function api(path, params = {}, accept = "application/json") {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  }
  const headers = { Accept: accept };
  return answer(await fetch(url, { headers: withToken(headers) }), accept);
}

/** Sends `body` as JSON with `method` to `path`; the answer as JSON. */
export async function send(method, path, body) {
  const headers = withToken({ Accept: "application/json", "Content-Type": "application/json" });
  return answer(await fetch(new URL(path, location.origin), { method, headers, body: JSON.stringify(body) }));
}

/** `headers` with the tab's bearer token, if one is saved. */
export function withToken(headers = {}) {
  const t = token();
  return t ? { ...headers, Authorization: `Bearer ${t}` } : headers;
}

/** The body of `response` (JSON unless `accept` says otherwise), or its `{code, message}` as an ApiError. */
export async function answer(response, accept = "application/json") {
  if (!response.ok) {
    let code = "error";
    let message = response.statusText;
    try {
      const body = await response.json();
      code = body.code || code;
      message = body.message || message;
    } catch (_) {
      // not a JSON error body
    }
    throw new ApiError(response.status, code, message);
  }
  return accept === "application/json" ? response.json() : response.text();
}

let grant = null;

/** Forgets what the token may do, after it changed. */
export function forgetAccess() {
  grant = null;
}

/**
 * What the saved token (or no token) may do: `{scope: "read"|"write"|"admin"|null, credential,
 * agents?, problem?}`; `scope` null when the server refuses to say (no token where one is
 * needed, or an unknown one: `problem` has its message). Asked once per token.
 */
export async function access() {
  if (!grant) {
    grant = api("/access").catch((e) => ({ scope: null, credential: null, problem: e.message }));
  }
  return grant;
}

/** Whether the saved token may write (ingest, hypotheses, experiments). */
export async function canWrite() {
  const a = await access();
  return a.scope === "write" || a.scope === "admin";
}
