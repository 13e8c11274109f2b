// A small typed client of the gateway's JSON API. Same origin, so the session cookie
// (__Host-gw_session, HttpOnly) goes along by itself; the CSRF token lives in memory only and is
// sent on every state-changing request. The API key is never stored by the app.

export interface ApiError {
  status: number;
  code: string;
  message: string;
  requestId: string | null;
}

export function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "status" in e && "code" in e && "message" in e;
}

export interface ApiResult<T> {
  data: T;
  headers: Headers;
}

export interface SessionInfo {
  email: string;
  is_admin: boolean;
  state: string;
  expires_at: string;
  csrf_token: string;
}

export interface StoredFile {
  cid: string;
  original_filename: string;
  filename: string;
  size: number;
  mime_type: string;
  pinned: boolean;
  uploaded_at: string;
}

export interface UploadAccepted {
  task_id: string;
  status_url: string;
  state: "queued";
  size: number;
  filename: string;
}

export interface TaskStatus {
  task_id: string;
  type: string;
  state: "queued" | "running" | "succeeded" | "failed";
  progress: { done: number; total: number | null };
  result?: StoredFile | { cid: string; pinned: boolean } | null;
  error?: { code: string; message: string } | null;
}

export interface Usage {
  file_count: number;
  stored_bytes: number;
  pinned_bytes: number;
  request_count: number;
  requests_this_month?: number;
}

export interface DailyUsage {
  date: string;
  uploads: number;
  bytes: number;
  requests: number;
}

export interface AccountStatus {
  email: string;
  state: string;
  is_admin: boolean;
  created_at: string;
  last_renewed_at: string | null;
  usage_count: number;
  plan: string;
  key_prefix?: string;
  key_created_at?: string;
}

export interface AdminUser {
  email: string;
  state: string;
  is_admin: boolean;
  plan: string;
  created_at: string;
  last_renewed_at: string | null;
  revoked_at: string | null;
  key_prefix: string | null;
  usage_count: number;
}

export interface AuditEntry {
  id: number;
  user: string | null;
  actor: string | null;
  action: string;
  details: Record<string, string>;
  request_id: string;
  client_address: string;
  created_at: string;
}

export interface IssuedKey {
  email: string;
  api_key: string;
}

// The CSRF token of the current session (GET/POST /session), kept in this module's memory.
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}
export function getCsrfToken(): string | null {
  return csrfToken;
}

// Called when an authenticated request answers 401: the auth context sends the user to sign-in.
type UnauthorizedListener = (error: ApiError) => void;
let onUnauthorized: UnauthorizedListener | null = null;
export function setUnauthorizedListener(listener: UnauthorizedListener | null): void {
  onUnauthorized = listener;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

// toApiError: the error envelope {status, message, error: {code, request_id}} in one shape; a body
// that is not one (a proxy's HTML page, a network failure) still gets words and a status.
export function toApiError(status: number, body: unknown, headers: Headers | null): ApiError {
  const requestId = headers?.get("X-Request-Id") ?? null;
  if (typeof body === "object" && body !== null) {
    const b = body as { message?: unknown; error?: { code?: unknown; request_id?: unknown } };
    return {
      status,
      code: typeof b.error?.code === "string" ? b.error.code : "http_error",
      message: typeof b.message === "string" ? b.message : `The server answered ${status}.`,
      requestId: typeof b.error?.request_id === "string" ? b.error.request_id : requestId,
    };
  }
  return {
    status,
    code: status === 0 ? "network_error" : "http_error",
    message:
      status === 0
        ? "The gateway could not be reached. Check your connection and try again."
        : `The server answered ${status}.`,
    requestId,
  };
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  // public routes (sign-in, register) must not trigger the "signed out" redirect on 401
  public?: boolean;
}

export function withQuery(path: string, query?: RequestOptions["query"]): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== "") params.set(k, String(v));
  }
  const q = params.toString();
  return q ? `${path}?${q}` : path;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<ApiResult<T>> {
  const method = (options.method ?? "GET").toUpperCase();
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (!SAFE_METHODS.has(method) && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: "same-origin",
      cache: "no-store",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw toApiError(0, null, null);
  }
  let parsed: unknown = null;
  const text = await response.text();
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) {
    const error = toApiError(response.status, parsed, response.headers);
    if (response.status === 401 && !options.public && onUnauthorized) onUnauthorized(error);
    throw error;
  }
  const data = (parsed as { data?: T } | null)?.data as T;
  return { data, headers: response.headers };
}

// Pagination of /files, /audit and /admin/users: X-Total-Count and Link rel="next"/"prev".
export interface PageInfo {
  total: number | null;
  hasNext: boolean;
  hasPrev: boolean;
}
export function pageInfo(headers: Headers, page: number, limit: number, count: number): PageInfo {
  const totalHeader = headers.get("X-Total-Count");
  // X-Total-Count-Exact: false: the count stopped at its bound (docs/api.md "Pagination"), so no
  // total is shown; Link's next still says whether more follow.
  const exact = headers.get("X-Total-Count-Exact") !== "false";
  const total =
    exact && totalHeader !== null && /^\d+$/.test(totalHeader) ? Number(totalHeader) : null;
  const link = headers.get("Link") ?? "";
  const hasNextLink = /rel="?next"?/.test(link);
  const hasPrevLink = /rel="?prev(ious)?"?/.test(link);
  return {
    total,
    hasNext: hasNextLink || (total !== null ? page * limit < total : count === limit),
    hasPrev: hasPrevLink || page > 1,
  };
}

// Rate-limit headroom: RateLimit: "key";r=<remaining>;t=<seconds>, RateLimit-Policy: "key";q=<burst>;w=<window>
export interface RateLimitInfo {
  remaining: number;
  resetSeconds: number;
  quota: number | null;
  windowSeconds: number | null;
}
function param(value: string, name: string): number | null {
  const m = new RegExp(`(?:^|;)\\s*${name}=(\\d+)`).exec(value);
  return m && m[1] !== undefined ? Number(m[1]) : null;
}
export function rateLimit(headers: Headers): RateLimitInfo | null {
  const value = headers.get("RateLimit");
  if (!value) return null;
  const remaining = param(value, "r");
  if (remaining === null) return null;
  const policy = headers.get("RateLimit-Policy") ?? "";
  return {
    remaining,
    resetSeconds: param(value, "t") ?? 0,
    quota: param(policy, "q"),
    windowSeconds: param(policy, "w"),
  };
}

// upload: POST /upload as multipart (field "file") through XMLHttpRequest, whose upload.onprogress
// fetch() cannot give. Resolves with the 201 file or the 202 task.
export function upload(
  file: File,
  onProgress: (loaded: number, total: number) => void,
): Promise<{ status: number; data: StoredFile | UploadAccepted }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/upload");
    xhr.setRequestHeader("Accept", "application/json");
    if (csrfToken) xhr.setRequestHeader("X-CSRF-Token", csrfToken);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(toApiError(0, null, null));
    xhr.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        parsed = null;
      }
      const headers = new Headers();
      const rid = xhr.getResponseHeader("X-Request-Id");
      if (rid) headers.set("X-Request-Id", rid);
      if (xhr.status === 201 || xhr.status === 202) {
        resolve({
          status: xhr.status,
          data: (parsed as { data: StoredFile | UploadAccepted }).data,
        });
        return;
      }
      const error = toApiError(xhr.status, parsed, headers);
      if (xhr.status === 401 && onUnauthorized) onUnauthorized(error);
      reject(error);
    };
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "never";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString();
}
