import { setTimeout as delay } from "node:timers/promises";
import type { HttpMethod, HttpResponse, TransportFailure } from "./http";

export interface RetryPolicy {
  /** Attempts in all, the first included; 1 turns retries off. */
  attempts: number;
  /** The backoff ceiling of the first retry; it doubles on each further retry. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this bound, so a bad header cannot stall a deployment. */
  maxRetryAfterMs: number;
  /** Uniform in [0, 1); injectable so that tests are deterministic. */
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  onRetry?: (retry: RetryNotice) => void;
}

export interface RetryNotice {
  /** The attempt that failed, 1-based. */
  attempt: number;
  delayMs: number;
  why: string;
}

// 8 attempts: at one failed attempt in four (the fault test's 20% 503s and 5% resets), a request still fails
// only once in about 65,000, and the waits add up to at most about 24 s (full jitter halves that on average).
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
  random: Math.random,
  sleep: (ms) => delay(ms),
};

export type AttemptOutcome = { response: HttpResponse } | { failure: TransportFailure; error: unknown };

export interface RetriedOutcome {
  last: AttemptOutcome;
  attempts: number;
  /** Whether any attempt may have reached the server, which decides whether a lost create may exist. */
  anyRequestSent: boolean;
}

/** Full jitter: uniform in [0, min(max, base * 2^(retry-1))), which spreads out clients that failed together. */
export function backoffDelayMs(
  retry: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs" | "random">,
) {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(policy.random() * ceiling);
}

/** Retry-After in milliseconds, from delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(
  header: string | string[] | undefined,
  now = Date.now(),
): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Requests whose repetition cannot change the outcome; a POST only when its caller says so. */
export function isRepeatable(method: HttpMethod, idempotent = false): boolean {
  return method !== "POST" || idempotent;
}

export function shouldRetry(outcome: AttemptOutcome, repeatable: boolean): boolean {
  if ("response" in outcome) {
    const { status } = outcome.response;
    // 429 and 503 are refusals: the request was not applied, so even a create may be sent again. A 502 or
    // 504 comes from a gateway that may have passed the request on.
    if (status === 429 || status === 503) return true;
    return repeatable && (status === 502 || status === 504);
  }
  return outcome.failure.transient && (repeatable || !outcome.failure.requestSent);
}

export async function withRetries(
  policy: RetryPolicy,
  repeatable: boolean,
  attempt: () => Promise<AttemptOutcome>,
): Promise<RetriedOutcome> {
  let anyRequestSent = false;
  for (let attempts = 1; ; attempts++) {
    const last = await attempt();
    anyRequestSent ||= "response" in last || last.failure.requestSent;
    if (attempts >= policy.attempts || !shouldRetry(last, repeatable))
      return { last, attempts, anyRequestSent };

    const retryAfter =
      "response" in last ? parseRetryAfterMs(last.response.headers["retry-after"]) : undefined;
    const delayMs =
      retryAfter === undefined
        ? backoffDelayMs(attempts, policy)
        : Math.min(retryAfter, policy.maxRetryAfterMs);
    policy.onRetry?.({ attempt: attempts, delayMs, why: describe(last) });
    await policy.sleep(delayMs);
  }
}

function describe(outcome: AttemptOutcome): string {
  return "response" in outcome ? `HTTP ${outcome.response.status}` : outcome.failure.reason;
}
