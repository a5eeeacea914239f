/**
 * A counting HTTP proxy on loopback in front of Polaris: it streams each request and answer through
 * untouched (keep-alive on both sides) and counts them per method, the token requests, and the client
 * process behind each connection, so that token requests can be attributed to provider processes.
 */
import { Agent, createServer, request } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { socketInodes, socketOwner } from "./process-tree";

export interface RequestCounts {
  total: number;
  byMethod: Record<string, number>;
  /** POST .../oauth/tokens. */
  tokenRequests: number;
  /**
   * Token requests with another client id than the management client's: a refresh checks that each
   * principal's secret still works by asking for a token with it.
   */
  credentialChecks: number;
  /** POST, PUT and DELETE, token requests excluded. */
  writes: number;
  reads: number;
  /** Distinct bearer tokens the requests carried. */
  bearerTokens: number;
  /** Management token requests per client pid ("unknown" when the connection's owner was not found). */
  tokenRequestsByProcess: Record<string, number>;
  /** Requests per client pid. */
  requestsByProcess: Record<string, number>;
  /** Answers per status code. */
  statuses: Record<string, number>;
  /** performance.now() when the first request arrived and when the last answer ended; absent without requests. */
  firstRequestAt?: number;
  lastAnswerAt?: number;
}

export interface CountingProxy {
  readonly uri: string;
  /** Polaris' origin; changes whenever the sandbox restarts. */
  target: string;
  /** The client id of the management credentials; token requests with another are credential checks. */
  managementClientId: string;
  /**
   * The pids a connection may come from: the measured command's tree as last sampled, or (`fresh`) as it
   * is now. This process is always a candidate.
   */
  candidates: (fresh: boolean) => Promise<number[]>;
  /** The counts since the last take; counting starts afresh. */
  take(): Promise<RequestCounts>;
  close(): Promise<void>;
}

interface Logged {
  method: string;
  token: boolean;
  /** For token requests: whether the management client asked. */
  management?: boolean;
  bearer: string | undefined;
  owner: Promise<number | undefined>;
  status?: number;
  arrivedAt: number;
  answeredAt?: number;
}

const WRITE_METHODS = new Set(["POST", "PUT", "DELETE"]);

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new Agent({ keepAlive: true, maxSockets: 64 });
  let log: Logged[] = [];
  const owners = new WeakMap<Socket, Promise<number | undefined>>();

  const server = createServer({ keepAlive: true }, (incoming, outgoing) => {
    const method = incoming.method ?? "GET";
    const path = (incoming.url ?? "/").split("?")[0]!;
    const authorization = incoming.headers.authorization;
    const entry: Logged = {
      method,
      token: method === "POST" && path.endsWith("/oauth/tokens"),
      bearer: authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined,
      owner: owners.get(incoming.socket) ?? Promise.resolve(undefined),
      arrivedAt: performance.now(),
    };
    log.push(entry);
    if (entry.token) {
      // A token request's form body is small; it is read on the side to see which client asks.
      let body = "";
      incoming.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      incoming.on("end", () => {
        entry.management = new URLSearchParams(body).get("client_id") === proxy.managementClientId;
      });
    }
    const to = new URL(proxy.target);
    const forwarded = request(
      {
        host: to.hostname,
        port: to.port,
        method,
        path: incoming.url,
        headers: { ...incoming.headers, host: to.host },
        agent: upstream,
      },
      (answer) => {
        entry.status = answer.statusCode;
        answer.on("end", () => {
          entry.answeredAt = performance.now();
        });
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on("error", () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(forwarded);
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", (socket: Socket) => {
    const clientPort = socket.remotePort;
    if (clientPort === undefined) return;
    owners.set(socket, ownerOf(clientPort));
  });
  // The client closes its end soon after its last request (a one-shot token client may within
  // milliseconds), so the socket's inode is read at once and looked for among the pids known already.
  const ownerOf = async (clientPort: number) => {
    const inodes = await socketInodes(clientPort, ownPort);
    return (
      (await socketOwner(inodes, [...(await proxy.candidates(false)), process.pid])) ??
      (await socketOwner(inodes, await proxy.candidates(true)))
    );
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const ownPort = (server.address() as AddressInfo).port;

  const proxy: CountingProxy = {
    uri: `http://127.0.0.1:${ownPort}`,
    target,
    managementClientId: "root",
    candidates: async () => [],
    async take() {
      const taken = log;
      log = [];
      return summarize(taken);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      upstream.destroy();
    },
  };
  return proxy;
}

async function summarize(entries: Logged[]): Promise<RequestCounts> {
  const counts: RequestCounts = {
    total: entries.length,
    byMethod: {},
    tokenRequests: 0,
    credentialChecks: 0,
    writes: 0,
    reads: 0,
    bearerTokens: new Set(entries.map((entry) => entry.bearer).filter(Boolean)).size,
    tokenRequestsByProcess: {},
    requestsByProcess: {},
    statuses: {},
    ...(entries.length > 0
      ? {
          firstRequestAt: Math.min(...entries.map((entry) => entry.arrivedAt)),
          lastAnswerAt: Math.max(...entries.map((entry) => entry.answeredAt ?? entry.arrivedAt)),
        }
      : {}),
  };
  const bump = (map: Record<string, number>, key: string) => {
    map[key] = (map[key] ?? 0) + 1;
  };
  for (const entry of entries) {
    bump(counts.byMethod, entry.method);
    bump(counts.statuses, String(entry.status ?? "none"));
    const owner = String((await entry.owner) ?? "unknown");
    bump(counts.requestsByProcess, owner);
    if (entry.token) {
      counts.tokenRequests++;
      if (entry.management === false) counts.credentialChecks++;
      else bump(counts.tokenRequestsByProcess, owner);
    } else if (WRITE_METHODS.has(entry.method)) {
      counts.writes++;
    } else {
      counts.reads++;
    }
  }
  return counts;
}
