import { describe, expect, it } from "vitest";
import type { HttpResponse } from "../../../src/polaris/client/http";
import {
  type AttemptOutcome,
  backoffDelayMs,
  isRepeatable,
  parseRetryAfterMs,
  shouldRetry,
  withRetries,
} from "../../../src/polaris/client/retry";
import { seededRandom } from "../../support/fault-proxy";

const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };
const answered = (status: number, headers: HttpResponse["headers"] = {}): AttemptOutcome => ({
  response: { status, headers, text: "" },
});
const failed = (requestSent: boolean, transient = true): AttemptOutcome => ({
  failure: { reason: requestSent ? "reset" : "connect", requestSent, transient },
  error: new Error("x"),
});

describe("backoffDelayMs", () => {
  it("draws below a ceiling that doubles per retry and stops at maxDelayMs", () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map((retry) =>
      backoffDelayMs(retry, { ...policy, random: () => 0.999999 }),
    );
    expect(ceilings).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelayMs(3, { ...policy, random: () => 0 })).toBe(0);
  });

  it("is reproducible from a seed and spread over the whole range (full jitter)", () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 200 }, () => backoffDelayMs(4, { ...policy, random }));
    };
    expect(draw(3)).toEqual(draw(3));
    const delays = draw(3);
    expect(Math.min(...delays)).toBeLessThan(80);
    expect(Math.max(...delays)).toBeGreaterThan(720);
    expect(delays.every((delay) => delay >= 0 && delay < 800)).toBe(true);
  });
});

describe("parseRetryAfterMs", () => {
  it("reads delta-seconds and HTTP dates, and ignores what it cannot read", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfterMs("3", now)).toBe(3_000);
    expect(parseRetryAfterMs(["0"], now)).toBe(0);
    expect(parseRetryAfterMs("Thu, 01 Jan 2026 00:00:07 GMT", now)).toBe(7_000);
    expect(parseRetryAfterMs("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfterMs("soon", now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe("shouldRetry", () => {
  it("repeats GET, HEAD, PUT and DELETE, and a POST only when marked idempotent", () => {
    expect(["GET", "HEAD", "PUT", "DELETE"].map((method) => isRepeatable(method as "GET"))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(isRepeatable("POST")).toBe(false);
    expect(isRepeatable("POST", true)).toBe(true);
  });

  it("retries 429 and 503 for any request, since the server did not apply it", () => {
    for (const repeatable of [true, false]) {
      expect(shouldRetry(answered(429), repeatable)).toBe(true);
      expect(shouldRetry(answered(503), repeatable)).toBe(true);
    }
  });

  it("retries 502 and 504 and resets only for requests that are safe to repeat", () => {
    expect(shouldRetry(answered(502), true)).toBe(true);
    expect(shouldRetry(answered(504), false)).toBe(false);
    expect(shouldRetry(failed(true), true)).toBe(true);
    expect(shouldRetry(failed(true), false)).toBe(false);
  });

  it("retries a failure known to precede sending, and never a permanent one or a client error", () => {
    expect(shouldRetry(failed(false), false)).toBe(true);
    expect(shouldRetry(failed(false, false), true)).toBe(false);
    for (const status of [400, 401, 403, 404, 409, 500])
      expect(shouldRetry(answered(status), true)).toBe(false);
  });
});

describe("withRetries", () => {
  it("waits Retry-After (capped) or the backoff, and stops after the configured attempts", async () => {
    const waits: number[] = [];
    const outcomes = [
      answered(429, { "retry-after": "2" }),
      answered(503, { "retry-after": "600" }),
      answered(503),
    ];
    const result = await withRetries(
      {
        attempts: 3,
        baseDelayMs: 100,
        maxDelayMs: 1_000,
        maxRetryAfterMs: 5_000,
        random: () => 0.5,
        sleep: async (ms) => void waits.push(ms),
      },
      false,
      async () => outcomes.shift()!,
    );
    expect(waits).toEqual([2_000, 5_000]);
    expect(result.attempts).toBe(3);
    expect("response" in result.last && result.last.response.status).toBe(503);
  });

  it("remembers that an earlier attempt may have reached the server", async () => {
    const outcomes = [failed(true), failed(false)];
    const result = await withRetries(
      {
        attempts: 2,
        baseDelayMs: 1,
        maxDelayMs: 1,
        maxRetryAfterMs: 1,
        random: () => 0,
        sleep: async () => {},
      },
      true,
      async () => outcomes.shift()!,
    );
    expect(result).toMatchObject({ attempts: 2, anyRequestSent: true });
  });
});
