import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  closeHttpPools,
  PolarisApiError,
  PolarisClient,
  type PolarisConnection,
  PolarisTransportError,
  type RetryNotice,
  type RetryPolicy,
} from "../../../src/polaris/client";
import { type FaultProxy, seededRandom, startFaultProxy } from "../../support/fault-proxy";
import { uniqueName } from "../../support/polaris";
import { readEndpoints } from "../../support/sandbox";

// Retries and lost answers, with faults injected by our proxy between the client and the real Polaris.
// Every entity the assertions look at is read back from Polaris itself, not from the proxy.

const CATALOGS = "/api/management/v1/catalogs";
const PRINCIPAL_ROLES = "/api/management/v1/principal-roles";

describe("PolarisClient under injected faults", () => {
  let proxy: FaultProxy;
  let connection: PolarisConnection;
  let direct: PolarisClient;
  let retries: RetryNotice[];
  let fastRetry: Partial<RetryPolicy>;

  beforeAll(() => {
    const endpoints = readEndpoints();
    direct = new PolarisClient({
      uri: endpoints.POLARIS_URI!,
      realm: endpoints.POLARIS_REALM,
      clientId: endpoints.POLARIS_CLIENT_ID!,
      clientSecret: endpoints.POLARIS_CLIENT_SECRET!,
    });
  });

  beforeEach(async () => {
    proxy = await startFaultProxy({ target: readEndpoints().POLARIS_URI!, seed: 7 });
    connection = { ...directConnection(), uri: proxy.uri };
    retries = [];
    fastRetry = {
      attempts: 4,
      baseDelayMs: 20,
      maxDelayMs: 100,
      maxRetryAfterMs: 1_500,
      random: seededRandom(42),
      onRetry: (notice) => retries.push(notice),
    };
  });

  afterEach(async () => {
    await proxy.close();
  });

  afterAll(async () => {
    await closeHttpPools();
  });

  function directConnection(): PolarisConnection {
    const endpoints = readEndpoints();
    return {
      uri: endpoints.POLARIS_URI!,
      realm: endpoints.POLARIS_REALM,
      clientId: endpoints.POLARIS_CLIENT_ID!,
      clientSecret: endpoints.POLARIS_CLIENT_SECRET!,
    };
  }

  function client(retry: Partial<RetryPolicy> = fastRetry, overrides: Partial<PolarisConnection> = {}) {
    return new PolarisClient({ ...connection, ...overrides }, { retry });
  }

  it("retries a GET answered 503 twice, then succeeds", async () => {
    proxy.script({ method: "GET", path: CATALOGS }, { kind: "status", status: 503 }, 2);
    const catalogs = await client().listCatalogs();

    expect(catalogs.length).toBeGreaterThan(0);
    expect(proxy.count({ path: CATALOGS, outcome: "status-503" })).toBe(2);
    expect(proxy.count({ path: CATALOGS, outcome: "forwarded" })).toBe(1);
    expect(retries.map((retry) => retry.why)).toEqual(["HTTP 503", "HTTP 503"]);
    // Full jitter: each delay lies below its doubling ceiling (20 ms, then 40 ms).
    expect(retries[0]!.delayMs).toBeLessThan(20);
    expect(retries[1]!.delayMs).toBeLessThan(40);
  });

  it("honours Retry-After on a 429, and caps a long one at maxRetryAfterMs", async () => {
    proxy.script({ method: "GET", path: CATALOGS }, { kind: "status", status: 429, retryAfterSeconds: 1 });
    let started = performance.now();
    await client().listCatalogs();
    const honoured = performance.now() - started;
    expect(retries).toEqual([{ attempt: 1, delayMs: 1_000, why: "HTTP 429" }]);
    expect(honoured).toBeGreaterThanOrEqual(990);

    retries.length = 0;
    proxy.script({ method: "GET", path: CATALOGS }, { kind: "status", status: 429, retryAfterSeconds: 3600 });
    started = performance.now();
    await client().listCatalogs();
    const capped = performance.now() - started;
    expect(retries).toEqual([{ attempt: 1, delayMs: 1_500, why: "HTTP 429" }]);
    expect(capped).toBeGreaterThanOrEqual(1_490);
    expect(capped).toBeLessThan(3_000);
    console.info(
      `Retry-After 1 s: call took ${honoured.toFixed(0)} ms; Retry-After 3600 s capped: ${capped.toFixed(0)} ms`,
    );
  });

  it("retries a create answered 503 or 429, since Polaris did not apply it, and creates it once", async () => {
    const name = uniqueName("fault_503");
    proxy.script({ method: "POST", path: PRINCIPAL_ROLES }, { kind: "status", status: 503 });
    proxy.script({ method: "POST", path: PRINCIPAL_ROLES }, { kind: "status", status: 429 });
    const created = await client().createPrincipalRole({ name });

    expect(created.name).toBe(name);
    expect(proxy.count({ method: "POST", path: PRINCIPAL_ROLES })).toBe(3);
    expect(proxy.count({ method: "POST", path: PRINCIPAL_ROLES, outcome: "forwarded", status: 201 })).toBe(1);
    expect((await direct.getPrincipalRole(name)).entityVersion).toBe(1);
  });

  it("retries a GET whose connection was reset before the request reached Polaris", async () => {
    proxy.script({ method: "GET", path: CATALOGS }, { kind: "reset-before-forward" });
    await client().listCatalogs();

    expect(proxy.count({ path: CATALOGS, outcome: "reset-before-forward" })).toBe(1);
    expect(proxy.count({ path: CATALOGS, outcome: "forwarded" })).toBe(1);
    expect(retries).toHaveLength(1);
    expect(retries[0]!.why).toBe("reset");
  });

  it("does not resend a create whose answer was lost; the error says it may exist, and it does", async () => {
    const name = uniqueName("fault_lost");
    proxy.script({ method: "POST", path: PRINCIPAL_ROLES }, { kind: "reset-after-response" });
    const error = await client()
      .createPrincipalRole({ name })
      .catch((e) => e);

    expect(error).toBeInstanceOf(PolarisTransportError);
    expect(error).toMatchObject({
      reason: "reset",
      mayHaveReachedServer: true,
      attempts: 1,
      operation: "create principal role",
      entity: `principal role ${name}`,
    });
    expect(error.message).toContain(`create principal role ${name}: the connection to Polaris was closed`);
    expect(error.message).toContain("may have been applied");
    expect(proxy.count({ method: "POST", path: PRINCIPAL_ROLES })).toBe(1);
    // Reading back resolves it: the role was created.
    expect((await direct.getPrincipalRole(name)).name).toBe(name);
  });

  it("reports a create reset before forwarding the same way, and reading back shows it was not applied", async () => {
    const name = uniqueName("fault_unsent");
    proxy.script({ method: "POST", path: PRINCIPAL_ROLES }, { kind: "reset-before-forward" });
    const error = await client()
      .createPrincipalRole({ name })
      .catch((e) => e);

    // A reset after the request left the client looks the same to it, wherever the request got to.
    expect(error).toBeInstanceOf(PolarisTransportError);
    expect(error).toMatchObject({ reason: "reset", mayHaveReachedServer: true, attempts: 1 });
    expect(proxy.count({ method: "POST", path: PRINCIPAL_ROLES, outcome: "forwarded" })).toBe(0);
    expect(await direct.getPrincipalRole(name).catch((e: PolarisApiError) => e.status)).toBe(404);
  });

  it("resends a PUT whose answer was lost, and the grant exists once", async () => {
    const catalogRole = uniqueName("fault_grant");
    const catalog = (await direct.listCatalogs())[0]!.name;
    await direct.createCatalogRole(catalog, { name: catalogRole });
    const grants = `${CATALOGS}/${catalog}/catalog-roles/${catalogRole}/grants`;
    proxy.script({ method: "PUT", path: grants }, { kind: "reset-after-response" });

    await client().addGrant(catalog, catalogRole, { type: "catalog", privilege: "TABLE_LIST" });
    expect(proxy.count({ method: "PUT", path: grants, outcome: "reset-after-response" })).toBe(1);
    expect(proxy.count({ method: "PUT", path: grants, outcome: "forwarded", status: 201 })).toBe(1);
    expect(await direct.listGrants(catalog, catalogRole)).toEqual([
      { type: "catalog", privilege: "TABLE_LIST" },
    ]);
  });

  it("gives up after the configured attempts with a typed error, on 503s and on resets", async () => {
    proxy.script({ method: "GET", path: CATALOGS }, { kind: "status", status: 503 }, 10);
    const unavailable = await client({ ...fastRetry, attempts: 3 })
      .listCatalogs()
      .catch((e) => e);
    expect(unavailable).toBeInstanceOf(PolarisApiError);
    expect(unavailable).toMatchObject({ status: 503, attempts: 3, operation: "list catalogs" });
    expect(unavailable.message).toContain("list catalogs: 503 Service Unavailable (after 3 attempts)");
    expect(proxy.count({ path: CATALOGS })).toBe(3);

    proxy.clear();
    proxy.script({ method: "GET", path: CATALOGS }, { kind: "reset-before-forward" }, 10);
    const reset = await client({ ...fastRetry, attempts: 3 })
      .listCatalogs()
      .catch((e) => e);
    expect(reset).toBeInstanceOf(PolarisTransportError);
    expect(reset).toMatchObject({ reason: "reset", attempts: 3 });
    expect(proxy.count({ path: CATALOGS })).toBe(3);
  });

  it("does not resend a create answered 502 by a gateway, which may have passed it on", async () => {
    proxy.script({ method: "POST", path: PRINCIPAL_ROLES }, { kind: "status", status: 502 });
    const error = await client()
      .createPrincipalRole({ name: uniqueName("fault_502") })
      .catch((e) => e);
    expect(error).toMatchObject({ status: 502, attempts: 1 });
    expect(proxy.count({ path: PRINCIPAL_ROLES })).toBe(1);
  });

  it("times out a slow answer; a timed-out create may have been applied, and was", async () => {
    const name = uniqueName("fault_slow");
    proxy.script({ method: "POST", path: PRINCIPAL_ROLES }, { kind: "delay", ms: 1_500 });
    const started = performance.now();
    const error = await client(fastRetry, { timeoutMs: 300 })
      .createPrincipalRole({ name })
      .catch((e) => e);
    const elapsed = performance.now() - started;

    expect(error).toBeInstanceOf(PolarisTransportError);
    expect(error).toMatchObject({ reason: "timeout", mayHaveReachedServer: true, attempts: 1 });
    expect(elapsed).toBeLessThan(1_400);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await direct.getPrincipalRole(name)).name).toBe(name);
  });

  it("retries even a create when the connection is refused, since nothing was sent", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const error = await client({ ...fastRetry, attempts: 3 }, { uri: `http://127.0.0.1:${closedPort}` })
      .createPrincipalRole({ name: uniqueName("never") })
      .catch((e) => e);
    expect(error).toBeInstanceOf(PolarisTransportError);
    // The token request is the one that fails: it comes first.
    expect(error).toMatchObject({ reason: "connect", mayHaveReachedServer: false, attempts: 3 });
    expect(error.message).toMatch(
      /^request a token for client root: could not connect to Polaris \(.*ECONNREFUSED/,
    );
    expect(retries.map((retry) => retry.why)).toEqual(["connect", "connect"]);
  });

  it("gets every call through when a seeded third of all requests fail", async () => {
    proxy.rates = {
      unavailable: 0.1,
      tooManyRequests: 0.1,
      resetBeforeForward: 0.1,
      resetAfterResponse: 0.1,
    };
    const polaris = client({ ...fastRetry, attempts: 8 });
    const started = performance.now();
    for (let call = 0; call < 40; call++) await polaris.listCatalogs();
    const elapsed = performance.now() - started;

    const faults = proxy.requests.filter((request) => request.outcome !== "forwarded").length;
    expect(faults).toBeGreaterThan(10);
    // Each call got exactly one answer through; the rest were refused, reset or lost on the way back.
    expect(proxy.count({ path: CATALOGS, outcome: "forwarded", status: 200 })).toBe(40);
    console.info(
      `40 calls, ${proxy.requests.length} requests, ${faults} injected faults, ${retries.length} retries, ${elapsed.toFixed(0)} ms`,
    );
  });
});
