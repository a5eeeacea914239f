import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, type LoggedRequest, startFaultProxy } from "../support/fault-proxy";
import {
  duplicates,
  NO_ENTITIES,
  type PlatformEntities,
  platformEntities,
  referencePlatformEntities,
} from "../support/platform-entities";
import { platformStack } from "../support/platform-stack";
import { type PolarisSession, requestToken, session } from "../support/polaris";
import type { CliResult, PulumiWorkspace } from "../support/pulumi-cli";
import { readEndpoints, sandbox } from "../support/sandbox";

// The reference platform (src/platform/reference.ts, the repository's own program, as ./scripts/up runs it)
// driven through the fault-injecting proxy: 20% 503s, 5% connection resets (half before Polaris sees the
// request, half after it applied it: the answer of an applied create is lost, and each run loses one more
// on purpose), up to 200 ms of jitter, and expired tokens mid-run (1% of requests on a token older than
// 3 s, and the token in use at the first grant of each `up` unless one expired already). Every run must
// converge, leave a clean preview and a second `up` with 0 changes, hold exactly the declared entities with
// none twice and give principal credentials that work, and leave no orphan after destroy, all verified over
// REST straight at Polaris.
//
// FAULT_RUNS runs of each kind (default 2, ./scripts/test; the full form is FAULT_RUNS=20). Run r of each
// kind uses the fault sequence of seed FAULT_SEED + r; a failure names that seed, and
// FAULT_SEED=<it> FAULT_RUNS=1 replays it as the first run.

const instance = "e2e-faults";
const runs = Number(process.env.FAULT_RUNS ?? "2");
const baseSeed = Number(process.env.FAULT_SEED ?? "20261122");
/** Vitest's time limit per suite: a run takes about 15 s on an idle machine, several times that under load. */
const suiteTimeoutMs = 120_000 + runs * 150_000;
const TOKEN_PATH = "/api/catalog/v1/oauth/tokens";
/** The POSTs that create an entity: catalog, principal, principal role, catalog role, namespace. */
const CREATE_PATH = /\/(catalogs|principals|principal-roles|catalog-roles|namespaces)$/;
/** The run of seed s loses the answer of its first create of CREATE_KINDS[s % 5], besides random resets. */
const CREATE_KINDS = ["catalogs", "principals", "principal-roles", "catalog-roles", "namespaces"];

interface Stats {
  runs: number;
  pulumiCommands: number;
  requests: number;
  unavailable: number;
  resetBeforeForward: number;
  resetAfterResponse: number;
  /** Resets after Polaris applied a create: the answer is lost, the entity exists. */
  resetAfterCreate: number;
  /** Requests answered 401 because their token had expired. */
  expiredTokenAnswers: number;
  /** `up`s in which a token expired, and after which a new token was fetched and the `up` succeeded. */
  upsWithExpiry: number;
  /** Token requests that reached Polaris (some more were failed by the proxy). */
  tokenRequests: number;
  /** 409s on create POSTs, each resolved by reading the entity back. */
  conflictsOnCreate: number;
}

const emptyStats = (): Stats => ({
  runs: 0,
  pulumiCommands: 0,
  requests: 0,
  unavailable: 0,
  resetBeforeForward: 0,
  resetAfterResponse: 0,
  resetAfterCreate: 0,
  expiredTokenAnswers: 0,
  upsWithExpiry: 0,
  tokenRequests: 0,
  conflictsOnCreate: 0,
});

function addRequests(stats: Stats, requests: readonly LoggedRequest[]) {
  for (const r of requests) {
    stats.requests++;
    if (r.outcome === "status-503") stats.unavailable++;
    if (r.outcome === "reset-before-forward") stats.resetBeforeForward++;
    if (r.outcome === "reset-after-response") stats.resetAfterResponse++;
    if (r.outcome === "reset-after-response" && r.method === "POST" && CREATE_PATH.test(r.path)) {
      stats.resetAfterCreate++;
    }
    if (r.outcome === "token-expired") stats.expiredTokenAnswers++;
    if (r.path === TOKEN_PATH && r.outcome === "forwarded") stats.tokenRequests++;
    if (r.status === 409 && r.method === "POST" && CREATE_PATH.test(r.path)) stats.conflictsOnCreate++;
  }
}

function formatStats(label: string, stats: Stats, seconds: number) {
  return (
    `fault proxy, ${label}: ${stats.runs} runs, ${stats.pulumiCommands} pulumi commands in ${seconds} s; ` +
    `${stats.requests} requests, 503: ${stats.unavailable}, reset before: ${stats.resetBeforeForward}, ` +
    `reset after: ${stats.resetAfterResponse} (${stats.resetAfterCreate} on creates), ` +
    `409 on creates: ${stats.conflictsOnCreate}, expired-token 401s: ${stats.expiredTokenAnswers} ` +
    `(in ${stats.upsWithExpiry} ups), token requests: ${stats.tokenRequests}\n`
  );
}

describe(`the reference platform converges through faults (${runs} runs from empty, ${runs} on a half-built stack, seed ${baseSeed})`, () => {
  let workspace: PulumiWorkspace;
  let proxy: FaultProxy;
  /** The URNs a half-built stack is made of: the catalog and the engineer principal, and their parent. */
  let halfBuiltTargets: string[];
  const expected = referencePlatformEntities();
  const halfBuilt: PlatformEntities = {
    ...NO_ENTITIES,
    catalogs: expected.catalogs,
    principals: ["engineer"],
  };
  const total = emptyStats();
  const began = Date.now();

  beforeAll(async () => {
    expect((await sandbox(["start", "--instance", instance])).code).toBe(0);
    const endpoints = readEndpoints(instance);
    proxy = await startFaultProxy({
      target: new URL(endpoints.POLARIS_URI!).origin,
      seed: baseSeed,
      rates: {
        unavailable: 0.2,
        resetBeforeForward: 0.025,
        resetAfterResponse: 0.025,
        jitterMs: 200,
        retryAfterSeconds: 0,
        expireToken: 0.01,
        expireTokenAfterMs: 3_000,
      },
    });
    workspace = await platformStack({ instance, stack: "faults", polarisUri: proxy.uri });
    // The URNs of the half-built stack's resources, as the engine names them; a target's parent (the
    // PolarisPlatform component, which makes no request) must be a target too.
    const preview = await workspace.mustRun(["preview", "--json"]);
    const steps = (JSON.parse(preview.stdout) as { steps: { urn: string; newState?: { type: string } }[] })
      .steps;
    halfBuiltTargets = steps
      .filter(
        (step) =>
          step.urn.endsWith(`::${expected.catalogs[0]}`) ||
          step.urn.endsWith("::engineer") ||
          step.newState?.type === "polaris-pulumi:platform:PolarisPlatform",
      )
      .map((step) => step.urn);
    expect(halfBuiltTargets, "the URNs of the catalog, the engineer and their parent").toHaveLength(3);
  });

  afterAll(async () => {
    if (proxy) process.stderr.write(formatStats("all", total, Math.round((Date.now() - began) / 1000)));
    await proxy?.close();
    // A failed run may leave entities behind; the instance is stopped with them.
    await workspace?.dispose();
    await sandbox(["stop", "--instance", instance]);
  });

  /** Straight at Polaris, never through the proxy; a new root token each time, since the full form is long. */
  async function entities(): Promise<PlatformEntities> {
    const root: PolarisSession = await session(undefined, undefined, instance);
    return platformEntities(root);
  }

  /** One run: a pulumi command through the proxy, its requests counted into `stats`. */
  async function pulumi(stats: Stats, args: string[], what: string, seedNote: string): Promise<CliResult> {
    const first = proxy.requests.length;
    const result = await workspace.run(args);
    const requests = proxy.requests.slice(first);
    stats.pulumiCommands++;
    addRequests(stats, requests);
    // On failure, the faults this command met, in order: what to look at first.
    const faults = requests
      .map((r, index) => ({ r, index }))
      .filter(({ r }) => r.outcome !== "forwarded" || r.path === TOKEN_PATH || (r.status ?? 0) >= 400)
      .map(
        ({ r, index }) => `#${index} ${r.method} ${r.path}: ${r.outcome}${r.status ? ` ${r.status}` : ""}`,
      );
    expect(
      result.code,
      `${what} (${seedNote})\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}\n` +
        `--- faults met (of ${requests.length} requests)\n${faults.join("\n")}`,
    ).toBe(0);
    const expiredAt = requests.findIndex((r) => r.outcome === "token-expired");
    if (args[0] === "up" && expiredAt >= 0) {
      // The client went on after the expiry with a token it fetched after it.
      const fetched = requests.slice(expiredAt).some((r) => r.path === TOKEN_PATH && r.status === 200);
      expect(fetched, `${what}: a new token after the expired one (${seedNote})`).toBe(true);
      stats.upsWithExpiry++;
    }
    return result;
  }

  async function converge(stats: Stats, label: string, seed: number, halfBuild: boolean) {
    const seedNote = `seed ${seed}; replay with FAULT_SEED=${seed} FAULT_RUNS=1`;
    const where = (step: string) => `${label}: ${step}`;
    expect(await entities(), where("an empty realm to begin with (did an earlier run fail?)")).toEqual(
      NO_ENTITIES,
    );
    proxy.reseed(seed);
    stats.runs++;
    // One create applied by Polaris whose answer is lost, on every run, whatever the dice say.
    const lost = CREATE_KINDS[seed % CREATE_KINDS.length];
    proxy.script({ method: "POST", path: new RegExp(`/${lost}$`) }, { kind: "reset-after-response" });
    if (halfBuild) {
      await pulumi(
        stats,
        ["up", "--yes", "--skip-preview", ...halfBuiltTargets.flatMap((urn) => ["--target", urn])],
        where("up of the catalog and a principal"),
        seedNote,
      );
      expect(await entities(), where(`the half-built stack (${seedNote})`)).toEqual(halfBuilt);
    }
    // The token in use expires at the first grant, mid-run: the client must fetch another and go on. Unless
    // one expired already: a real lifetime never ends twice within a moment, nor for a token just issued.
    const upBegan = proxy.requests.length;
    proxy.beforeForward({ method: "PUT", path: /\/grants$/ }, async () => {
      if (!proxy.requests.slice(upBegan).some((r) => r.outcome === "token-expired")) proxy.expireTokens();
    });
    await pulumi(stats, ["up", "--yes", "--skip-preview"], where("up"), seedNote);
    await pulumi(
      stats,
      ["preview", "--expect-no-changes"],
      where("the next preview shows no change"),
      seedNote,
    );
    const again = await pulumi(
      stats,
      ["up", "--yes", "--skip-preview", "--expect-no-changes", "--json"],
      where("a second up makes no change"),
      seedNote,
    );
    // `up --json` writes engine events, one a line; the summary counts the steps by kind.
    const summary = again.stdout
      .split("\n")
      .filter((line) => line.includes('"summaryEvent"'))
      .map((line) => JSON.parse(line) as { summaryEvent: { resourceChanges: Record<string, number> } })[0];
    expect(summary, where(`a second up's summary (${seedNote})`)).toBeDefined();
    expect(
      Object.entries(summary!.summaryEvent.resourceChanges).filter(
        ([kind, count]) => kind !== "same" && count > 0,
      ),
      where(`a second up: 0 changes (${seedNote})`),
    ).toEqual([]);
    const built = await entities();
    expect(duplicates(built), where(`no entity twice (${seedNote})`)).toEqual({});
    expect(built, where(`exactly the declared entities (${seedNote})`)).toEqual(expected);
    // The secrets in the stack's outputs are the principals' current ones, also after a lost create answer.
    const credentials = JSON.parse(
      (await workspace.mustRun(["stack", "output", "credentials", "--show-secrets", "--json"])).stdout,
    ) as Record<string, { clientId: string; clientSecret: string }>;
    expect(Object.keys(credentials).sort(), where("credentials for every principal")).toEqual(
      expected.principals,
    );
    for (const [persona, { clientId, clientSecret }] of Object.entries(credentials)) {
      const token = await requestToken(clientId, clientSecret, instance);
      expect(token.status, where(`${persona}'s credentials from the outputs work (${seedNote})`)).toBe(200);
    }
    await pulumi(stats, ["destroy", "--yes", "--skip-preview"], where("destroy"), seedNote);
    expect(await entities(), where(`no orphans after destroy (${seedNote})`)).toEqual(NO_ENTITIES);
  }

  /** Prints the suite's figures and adds them to the total, whether or not its runs passed. */
  async function suite(label: string, halfBuild: boolean) {
    const stats = emptyStats();
    const started = Date.now();
    try {
      for (let run = 0; run < runs; run++) {
        await converge(stats, `run ${run + 1} ${label}`, baseSeed + run, halfBuild);
      }
    } finally {
      process.stderr.write(formatStats(label, stats, Math.round((Date.now() - started) / 1000)));
      for (const key of Object.keys(total) as (keyof Stats)[]) total[key] += stats[key];
    }
    return stats;
  }

  /** The faults a suite must have gone through: the expiry and lost-create paths taken, not just possible. */
  function assertExercised(label: string, stats: Stats) {
    expect(stats.expiredTokenAnswers, `${label}: tokens expired mid-run`).toBeGreaterThan(0);
    expect(stats.upsWithExpiry, `${label}: ups that went on after an expired token`).toBeGreaterThan(0);
    expect(stats.resetAfterCreate, `${label}: creates applied whose answer was lost`).toBeGreaterThan(0);
    expect(stats.unavailable, `${label}: 503s`).toBeGreaterThan(0);
  }

  it(
    "converges from empty on every run",
    async () => {
      assertExercised("from empty", await suite("from empty", false));
    },
    suiteTimeoutMs,
  );

  it(
    "converges on a half-built stack on every run",
    async () => {
      assertExercised("on a half-built stack", await suite("on a half-built stack", true));
    },
    suiteTimeoutMs,
  );
});
