import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

// A fault-injecting HTTP proxy on loopback, in front of the real Polaris: it fails requests the way a load
// balancer or a flaky network would, and forwards the rest untouched. It never answers for Polaris.

export type Fault =
  | { kind: "status"; status: 429 | 502 | 503 | 504; retryAfterSeconds?: number }
  /** Reads the whole request, then resets the connection: the request never reaches Polaris. */
  | { kind: "reset-before-forward" }
  /** Forwards the request and reads Polaris' answer, then resets: applied, but the answer is lost. */
  | { kind: "reset-after-response" }
  | { kind: "delay"; ms: number }
  /**
   * Answers in Polaris' place without forwarding: a 500, a 400 with an HTML body from a gateway, and so on.
   * Only for error answers that Polaris itself cannot be made to give on demand.
   */
  | { kind: "respond"; status: number; body: string; contentType?: string }
  /**
   * The request's bearer token expires now: it and every later request with that token is answered the way
   * Polaris 1.4.1 answers an expired token (401, `www-authenticate: Bearer`, empty body), until the client
   * fetches a new one.
   */
  | { kind: "expire-token" };

export type Outcome =
  | "forwarded"
  | "reset-before-forward"
  | "reset-after-response"
  | "token-expired"
  | `status-${number}`;

export interface RequestMatcher {
  method?: string;
  /** The path without its query: equal to a string, or matching a RegExp. */
  path?: string | RegExp;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  outcome: Outcome;
  /** The status the client was answered with; undefined after a reset. */
  status: number | undefined;
  realm: string | undefined;
  authorized: boolean;
}

/** Probabilities in [0, 1], drawn per request from the seeded generator, checked in this order. */
export interface FaultRates {
  unavailable?: number;
  tooManyRequests?: number;
  resetBeforeForward?: number;
  resetAfterResponse?: number;
  retryAfterSeconds?: number;
  /** Expires the bearer token of an authorized request (see the `expire-token` fault). */
  expireToken?: number;
  /**
   * `expireToken` spares a token until this long after the proxy first saw it, the way a real lifetime
   * runs out on an old token and never on one just issued. @default 0
   */
  expireTokenAfterMs?: number;
  /** Added to every request, plus up to `jitterMs` more. */
  latencyMs?: number;
  jitterMs?: number;
}

export interface FaultProxyOptions {
  /** The origin to forward to, e.g. http://127.0.0.1:8181. */
  target: string;
  seed?: number;
  rates?: FaultRates;
  /** Serve HTTPS with this key and certificate (PEM), to test clients that trust a private CA. */
  tls?: { key: string; cert: string };
}

export interface FaultProxy {
  /** The proxy's origin; give it to the client instead of Polaris' own. */
  readonly uri: string;
  readonly requests: readonly LoggedRequest[];
  rates: FaultRates;
  /** Applies `fault` to the next `times` requests that match, before any random fault. */
  script(matcher: RequestMatcher, fault: Fault, times?: number): void;
  /**
   * Runs `action` before the next `times` matching requests are forwarded, while they wait: how a test
   * makes an outside edit land between a client's read and its write.
   */
  beforeForward(matcher: RequestMatcher, action: () => Promise<void>, times?: number): void;
  /** Expires every bearer token seen so far, as if the server's token lifetime had just run out. */
  expireTokens(): void;
  /** Restarts the random fault sequence from `seed`, e.g. once per run of a test that runs many. */
  reseed(seed: number): void;
  count(filter?: RequestMatcher & { outcome?: Outcome; status?: number }): number;
  clear(): void;
  close(): Promise<void>;
}

/** mulberry32: small, fast and good enough to make fault sequences reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  let random = seededRandom(options.seed ?? 1);
  const upstream = new Agent({ keepAlive: true });
  const scripts: { matcher: RequestMatcher; fault: Fault; remaining: number }[] = [];
  const requests: LoggedRequest[] = [];
  const hooks: { matcher: RequestMatcher; action: () => Promise<void>; remaining: number }[] = [];
  /** Every bearer token seen, with when it was first seen. */
  const seenTokens = new Map<string, number>();
  const expiredTokens = new Set<string>();

  const proxy: FaultProxy = {
    uri: "",
    requests,
    rates: options.rates ?? {},
    script(matcher, fault, times = 1) {
      scripts.push({ matcher, fault, remaining: times });
    },
    beforeForward(matcher, action, times = 1) {
      hooks.push({ matcher, action, remaining: times });
    },
    expireTokens() {
      for (const token of seenTokens.keys()) expiredTokens.add(token);
    },
    reseed(seed) {
      random = seededRandom(seed);
    },
    count(filter = {}) {
      return requests.filter(
        (logged) =>
          matches(filter, logged) &&
          (filter.outcome === undefined || logged.outcome === filter.outcome) &&
          (filter.status === undefined || logged.status === filter.status),
      ).length;
    },
    clear() {
      requests.length = 0;
      scripts.length = 0;
      hooks.length = 0;
    },
    close: async () => {
      upstream.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function chooseFault(method: string, path: string, token: string | undefined): Fault | undefined {
    const scripted = scripts.find((entry) => entry.remaining > 0 && matches(entry.matcher, { method, path }));
    if (scripted) {
      scripted.remaining--;
      return scripted.fault;
    }
    const { rates } = proxy;
    const retryAfterSeconds = rates.retryAfterSeconds;
    if (random() < (rates.unavailable ?? 0)) return { kind: "status", status: 503, retryAfterSeconds };
    if (random() < (rates.tooManyRequests ?? 0)) return { kind: "status", status: 429, retryAfterSeconds };
    if (random() < (rates.resetBeforeForward ?? 0)) return { kind: "reset-before-forward" };
    if (random() < (rates.resetAfterResponse ?? 0)) return { kind: "reset-after-response" };
    // Drawn only when asked for, so that the sequences of existing seeds stay the same.
    if (token !== undefined && rates.expireToken && random() < rates.expireToken) {
      const age = Date.now() - (seenTokens.get(token) ?? Date.now());
      if (age >= (rates.expireTokenAfterMs ?? 0)) return { kind: "expire-token" };
    }
    return undefined;
  }

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse) {
    const url = new URL(incoming.url ?? "/", "http://proxy");
    const method = incoming.method ?? "GET";
    const body = await readAll(incoming);
    const log = (outcome: Outcome, status?: number) =>
      requests.push({
        method,
        path: url.pathname,
        query: url.search,
        outcome,
        status,
        realm: header(incoming, "polaris-realm"),
        authorized: incoming.headers.authorization !== undefined,
      });

    const { latencyMs = 0, jitterMs = 0 } = proxy.rates;
    const latency = latencyMs + random() * jitterMs;
    if (latency > 0) await delay(latency);

    const token = bearerToken(incoming);
    if (token !== undefined && !seenTokens.has(token)) seenTokens.set(token, Date.now());
    const fault = chooseFault(method, url.pathname, token);
    if (fault?.kind === "expire-token" && token !== undefined) expiredTokens.add(token);
    if (token !== undefined && expiredTokens.has(token)) {
      log("token-expired", 401);
      outgoing.writeHead(401, { "www-authenticate": "Bearer", "content-length": "0" }).end();
      return;
    }
    if (fault?.kind === "delay") await delay(fault.ms);
    if (fault?.kind === "respond") {
      log(`status-${fault.status}`, fault.status);
      outgoing
        .writeHead(fault.status, { "content-type": fault.contentType ?? "application/json" })
        .end(fault.body);
      return;
    }
    if (fault?.kind === "status") {
      log(`status-${fault.status}`, fault.status);
      const headers: Record<string, string> = { "content-type": "text/plain" };
      if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
      outgoing.writeHead(fault.status, headers).end(`injected ${fault.status}`);
      return;
    }
    if (fault?.kind === "reset-before-forward") {
      log("reset-before-forward");
      incoming.socket.resetAndDestroy();
      return;
    }

    for (const hook of hooks) {
      if (hook.remaining > 0 && matches(hook.matcher, { method, path: url.pathname })) {
        hook.remaining--;
        await hook.action();
      }
    }
    const answer = await forward(method, url, incoming, body);
    if (fault?.kind === "reset-after-response") {
      log("reset-after-response");
      incoming.socket.resetAndDestroy();
      return;
    }
    log("forwarded", answer.status);
    outgoing.writeHead(answer.status, answer.headers).end(answer.body);
  }

  function forward(method: string, url: URL, incoming: IncomingMessage, body: Buffer) {
    return new Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }>(
      (resolve, reject) => {
        const headers = { ...incoming.headers, host: target.host, "content-length": String(body.length) };
        const upstreamRequest = request(
          {
            host: target.hostname,
            port: target.port,
            method,
            path: `${url.pathname}${url.search}`,
            headers,
            agent: upstream,
          },
          async (response) => {
            const answer = await readAll(response);
            const responseHeaders: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined && name !== "transfer-encoding" && name !== "connection") {
                responseHeaders[name] = value;
              }
            }
            responseHeaders["content-length"] = String(answer.length);
            resolve({ status: response.statusCode ?? 502, headers: responseHeaders, body: answer });
          },
        );
        upstreamRequest.on("error", reject);
        upstreamRequest.end(body);
      },
    );
  }

  const serve = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    handle(incoming, outgoing).catch((error: Error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "text/plain" });
      outgoing.end(`fault proxy: ${error.message}`);
    });
  };
  const server = options.tls ? createTlsServer(options.tls, serve) : createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, { uri: `${options.tls ? "https" : "http"}://127.0.0.1:${port}` });
}

function matches(matcher: RequestMatcher, request: { method: string; path: string }): boolean {
  if (matcher.method && matcher.method.toUpperCase() !== request.method) return false;
  if (matcher.path === undefined) return true;
  return typeof matcher.path === "string" ? matcher.path === request.path : matcher.path.test(request.path);
}

function bearerToken(incoming: IncomingMessage): string | undefined {
  const authorization = header(incoming, "authorization");
  return authorization?.startsWith("Bearer ") ? authorization.slice("Bearer ".length) : undefined;
}

function header(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
