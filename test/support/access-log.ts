import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runDir } from "./sandbox";

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

/** The requests Polaris' access log (in the instance's polaris.log) recorded, in order. */
export function accessLog(instance: string): LoggedRequest[] {
  const log = readFileSync(join(runDir(instance), "polaris.log"), "latin1");
  return [...log.matchAll(/access-log\].*"(GET|HEAD|POST|PUT|DELETE) (\S+) HTTP\/[\d.]+" (\d{3})/g)].map(
    (match) => ({
      method: match[1]!,
      path: match[2]!,
      status: Number(match[3]),
    }),
  );
}

/** Counts what happened between two snapshots of the log: writes, token requests, reads. */
export function requestsSince(before: LoggedRequest[], after: LoggedRequest[]) {
  const since = after.slice(before.length);
  const tokens = since.filter((request) => request.path.startsWith("/api/catalog/v1/oauth/tokens"));
  const writes = since.filter((request) => request.method !== "GET" && !tokens.includes(request));
  return {
    all: since,
    tokens: tokens.length,
    writes,
    reads: since.filter((request) => request.method === "GET").length,
  };
}
