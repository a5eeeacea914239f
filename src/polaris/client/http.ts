import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Pool } from "undici";
import type { TransportFailureReason } from "./errors";

export type HttpMethod = "GET" | "HEAD" | "PUT" | "POST" | "DELETE";

export interface HttpRequest {
  url: URL;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  /** Bounds the wait for the response headers and, separately, for each gap in the body. */
  timeoutMs: number;
  /** PEM bundle to trust instead of the system roots, for a Polaris behind a private CA. */
  ca?: string;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** How a request that got no HTTP answer failed, and what that means for sending it again. */
export interface TransportFailure {
  reason: TransportFailureReason;
  /** False only when the failure is known to have happened before any byte of the request was sent. */
  requestSent: boolean;
  /** Worth another attempt: the same request may well succeed a moment later. */
  transient: boolean;
}

const CONNECT_TIMEOUT_MS = 10_000;

// One keep-alive pool per origin (and trusted CA) for the whole process, so every client instance and
// every provider call reuses the same connections.
const pools = new Map<string, Pool>();

export async function sendHttp(request: HttpRequest): Promise<HttpResponse> {
  const response = await poolFor(request.url.origin, request.ca).request({
    method: request.method,
    path: `${request.url.pathname}${request.url.search}`,
    headers: request.headers,
    body: request.body,
    headersTimeout: request.timeoutMs,
    bodyTimeout: request.timeoutMs,
  });
  return {
    status: response.statusCode,
    headers: response.headers as IncomingHttpHeaders,
    text: await response.body.text(),
  };
}

export async function closeHttpPools(): Promise<void> {
  const closing = [...pools.values()].map((pool) => pool.close());
  pools.clear();
  await Promise.allSettled(closing);
}

function poolFor(origin: string, ca: string | undefined): Pool {
  const key = ca ? `${origin} ${createHash("sha256").update(ca).digest("hex")}` : origin;
  let pool = pools.get(key);
  if (!pool) {
    pool = new Pool(origin, { connect: { timeout: CONNECT_TIMEOUT_MS, ...(ca ? { ca } : {}) } });
    pools.set(key, pool);
  }
  return pool;
}

const NOT_SENT_TRANSIENT = new Set([
  "ECONNREFUSED",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const NOT_SENT_PERMANENT = new Set(["ENOTFOUND", "UND_ERR_INVALID_ARG", "ERR_INVALID_URL"]);
const RESET = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
const TIMEOUT = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);

export function classifyTransportFailure(error: unknown): TransportFailure {
  const code = errorCode(error);
  if (NOT_SENT_TRANSIENT.has(code)) return { reason: "connect", requestSent: false, transient: true };
  if (NOT_SENT_PERMANENT.has(code)) return { reason: "connect", requestSent: false, transient: false };
  if (isTlsFailure(code)) return { reason: "tls", requestSent: false, transient: false };
  // A reset or timeout gives no way to tell whether the server received the request, so assume it did.
  if (RESET.has(code)) return { reason: "reset", requestSent: true, transient: true };
  if (TIMEOUT.has(code)) return { reason: "timeout", requestSent: true, transient: true };
  return { reason: "other", requestSent: true, transient: false };
}

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code !== "UND_ERR") return code;
    // Node reports a refused connection to every address of a host as an AggregateError.
    const errors = (current as { errors?: unknown[] }).errors;
    current = Array.isArray(errors) && errors.length > 0 ? errors[0] : (current as { cause?: unknown }).cause;
  }
  return "";
}

function isTlsFailure(code: string): boolean {
  return (
    code.startsWith("ERR_TLS_") ||
    code.startsWith("ERR_SSL_") ||
    code.startsWith("CERT_") ||
    code.includes("SELF_SIGNED") ||
    code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" ||
    code === "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
  );
}
