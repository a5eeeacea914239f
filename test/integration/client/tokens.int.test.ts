import { setTimeout as delay } from "node:timers/promises";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  closeHttpPools,
  PolarisApiError,
  PolarisAuthenticationError,
  PolarisClient,
  type PolarisConnection,
} from "../../../src/polaris/client";
import { type FaultProxy, startFaultProxy } from "../../support/fault-proxy";
import { readEndpoints } from "../../support/sandbox";

// Token reuse and the realm header, counted by a pass-through proxy in front of the real Polaris. Each test
// gets a new proxy, hence a new uri, hence its own entry in the process-wide token cache.

const TOKEN_PATH = "/api/catalog/v1/oauth/tokens";

describe("PolarisClient tokens", () => {
  let proxy: FaultProxy;
  let connection: PolarisConnection;

  beforeEach(async () => {
    const endpoints = readEndpoints();
    proxy = await startFaultProxy({ target: endpoints.POLARIS_URI! });
    connection = {
      uri: proxy.uri,
      realm: endpoints.POLARIS_REALM,
      clientId: endpoints.POLARIS_CLIENT_ID!,
      clientSecret: endpoints.POLARIS_CLIENT_SECRET!,
    };
  });

  afterEach(async () => {
    await proxy.close();
  });

  afterAll(async () => {
    await closeHttpPools();
  });

  it("asks for one token for 60 calls made by three clients of the same connection", async () => {
    const clients = [
      new PolarisClient(connection),
      new PolarisClient(connection),
      new PolarisClient({ ...connection }),
    ];
    for (let call = 0; call < 30; call++) await clients[call % 3]!.listCatalogs();
    await Promise.all(Array.from({ length: 30 }, (_, call) => clients[call % 3]!.listPrincipalRoles()));

    expect(proxy.count({ method: "POST", path: TOKEN_PATH })).toBe(1);
    expect(proxy.count({ path: "/api/management/v1/catalogs", status: 200 })).toBe(30);
    expect(proxy.count({ path: "/api/management/v1/principal-roles", status: 200 })).toBe(30);
  });

  it("shares one in-flight token request among 25 concurrent first calls", async () => {
    await Promise.all(Array.from({ length: 25 }, () => new PolarisClient(connection).listCatalogs()));
    expect(proxy.count({ method: "POST", path: TOKEN_PATH })).toBe(1);
    expect(proxy.count({ path: "/api/management/v1/catalogs", status: 200 })).toBe(25);
  });

  it("keeps separate tokens for another scope and another client", async () => {
    await new PolarisClient(connection).listCatalogs();
    await new PolarisClient({ ...connection, scope: "PRINCIPAL_ROLE:service_admin" }).listCatalogs();
    await new PolarisClient(connection).listCatalogs();
    expect(proxy.count({ method: "POST", path: TOKEN_PATH })).toBe(2);
  });

  it("sends the Polaris-Realm header on the token request and on every API call", async () => {
    const polaris = new PolarisClient(connection);
    await polaris.listCatalogs();
    await polaris.listPrincipals();
    expect(proxy.requests.length).toBe(3);
    expect(proxy.requests.map((request) => request.realm)).toEqual(["POLARIS", "POLARIS", "POLARIS"]);
    expect(proxy.requests.filter((request) => request.authorized).map((request) => request.path)).toEqual([
      "/api/management/v1/catalogs",
      "/api/management/v1/principals",
    ]);
  });

  it("fails with Polaris' realm error when the realm is wrong, proving the header reaches the server", async () => {
    const error = await new PolarisClient({ ...connection, realm: "NO_SUCH_REALM" })
      .listCatalogs()
      .catch((e) => e);
    // Refused at the token endpoint: typed apart from API errors, so a 404 here never reads as "entity gone".
    expect(error).toBeInstanceOf(PolarisAuthenticationError);
    expect(error).not.toBeInstanceOf(PolarisApiError);
    expect(error.cause).toMatchObject({
      status: 404,
      operation: "request a token",
      entity: "for client root",
      polarisType: "MissingOrInvalidRealm",
    });
    expect(error.message).toMatch(
      /refused a token to client root in realm NO_SUCH_REALM: 404 .*Check the connection's realm/,
    );
    expect(proxy.requests.map((request) => request.realm)).toEqual(["NO_SUCH_REALM"]);
  });

  it("reports a wrong secret as a 401 on the token request, without the secret, and retries nothing", async () => {
    const wrongSecret = "wrong-secret-8c1d2e";
    const error = await new PolarisClient({ ...connection, clientSecret: wrongSecret })
      .listCatalogs()
      .catch((e) => e);
    expect(error).toBeInstanceOf(PolarisAuthenticationError);
    expect(error.status).toBe(401);
    expect(error.cause.message).toMatch(
      /^request a token for client root: 401 Unauthorized: unauthorized_client/,
    );
    expect(error.message).not.toContain(wrongSecret);
    expect(proxy.count()).toBe(1);
  });

  // Found by the fault e2e test: a call refused for an expired token took the token another call had fetched
  // a moment before, which had expired too by then, and failed on that second 401.
  it("after a refusal, does not stop at a token another call fetched before it: one more new token", async () => {
    const polaris = new PolarisClient(connection);
    const other = new PolarisClient(connection);
    await polaris.listCatalogs();
    // The next call waits 1.5 s at the proxy with the first token, before the proxy looks at it.
    proxy.rates = { latencyMs: 1_500 };
    const slow = polaris.listPrincipalRoles();
    await delay(300);
    proxy.rates = {};
    // Meanwhile the first token expires, another call replaces it, and the replacement expires too.
    proxy.expireTokens();
    await other.listPrincipals();
    proxy.expireTokens();

    await expect(slow).resolves.toBeInstanceOf(Array);
    const roles = proxy.requests.filter((r) => r.path === "/api/management/v1/principal-roles");
    // Refused with the first token, refused with the other call's, accepted with a third.
    expect(roles.map((r) => r.status)).toEqual([401, 401, 200]);
    expect(proxy.count({ method: "POST", path: TOKEN_PATH, status: 200 })).toBe(3);
  });

  it("fails a call whose token was refused again although asked for after the refusal", async () => {
    const polaris = new PolarisClient(connection);
    await polaris.listCatalogs();
    proxy.script({ path: "/api/management/v1/principal-roles" }, { kind: "expire-token" }, 2);
    const error = await polaris.listPrincipalRoles().catch((e) => e);
    expect(error).toBeInstanceOf(PolarisApiError);
    expect(error.status).toBe(401);
    expect(proxy.count({ outcome: "token-expired" })).toBe(2);
    expect(proxy.count({ method: "POST", path: TOKEN_PATH, status: 200 })).toBe(2);
  });
});
