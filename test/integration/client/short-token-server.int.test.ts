import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Catalog,
  closeHttpPools,
  PolarisClient,
  type PolarisConnection,
  TokenCache,
} from "../../../src/polaris/client";
import { type FaultProxy, startFaultProxy } from "../../support/fault-proxy";
import { motoWarehouse } from "../../support/moto-warehouse";
import { motoStorage, uniqueName } from "../../support/polaris";
import { readEndpoints, sandbox } from "../../support/sandbox";

// A Polaris instance of our own whose tokens live 5 seconds and which pages namespace lists, two settings
// the shared sandbox does not have.

const INSTANCE = "client-short-token";
const TOKEN_PATH = "/api/catalog/v1/oauth/tokens";
const CATALOGS = "/api/management/v1/catalogs";
const TOKEN_LIFETIME_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("PolarisClient against a server with 5-second tokens and paged lists", () => {
  let proxy: FaultProxy;
  let connection: PolarisConnection;

  beforeAll(async () => {
    const started = await sandbox([
      "start",
      "--instance",
      INSTANCE,
      "--polaris-property",
      "polaris.authentication.token-broker.max-token-generation=PT5S",
      "--polaris-property",
      'polaris.features."LIST_PAGINATION_ENABLED"=true',
    ]);
    expect(started.code, started.stderr).toBe(0);
    const endpoints = readEndpoints(INSTANCE);
    proxy = await startFaultProxy({ target: endpoints.POLARIS_URI! });
    connection = {
      uri: proxy.uri,
      realm: endpoints.POLARIS_REALM,
      clientId: endpoints.POLARIS_CLIENT_ID!,
      clientSecret: endpoints.POLARIS_CLIENT_SECRET!,
    };
  });

  afterAll(async () => {
    await proxy?.close();
    await closeHttpPools();
    await sandbox(["stop", "--instance", INSTANCE]);
  });

  it("refreshes the token before it expires, so no call is ever refused", async () => {
    proxy.clear();
    const polaris = new PolarisClient(connection, { tokenCache: new TokenCache() });
    const started = performance.now();
    let calls = 0;
    while (performance.now() - started < 2 * TOKEN_LIFETIME_MS + 1_000) {
      await polaris.listCatalogs();
      calls++;
      await sleep(250);
    }

    // Issued at 0 s, refreshed at 4 s and 8 s (a second before expiry), never after a 401.
    const tokenRequests = proxy.count({ method: "POST", path: TOKEN_PATH });
    expect(tokenRequests).toBe(3);
    expect(proxy.count({ path: CATALOGS, status: 401 })).toBe(0);
    expect(proxy.count({ path: CATALOGS, status: 200 })).toBe(calls);
    console.info(`${calls} calls over 11 s with 5 s tokens: ${tokenRequests} token requests, 0 refusals`);
  });

  it("fetches a fresh token and retries once when Polaris refuses a token the cache still trusts", async () => {
    proxy.clear();
    // A client clock that stopped: the cache keeps a token the server has expired, as after a server
    // restart with new keys or clock skew.
    const stoppedClock = Date.now();
    const polaris = new PolarisClient(connection, { tokenCache: new TokenCache(() => stoppedClock) });
    await polaris.listCatalogs();
    await sleep(TOKEN_LIFETIME_MS + 1_000);
    await polaris.listCatalogs();

    expect(proxy.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
      `POST ${TOKEN_PATH} 200`,
      `GET ${CATALOGS} 200`,
      `GET ${CATALOGS} 401`,
      `POST ${TOKEN_PATH} 200`,
      `GET ${CATALOGS} 200`,
    ]);
  });

  it("follows next-page-token until the last page", async () => {
    const polaris = new PolarisClient(connection);
    const warehouse = await motoWarehouse(uniqueName("paged").replaceAll("_", "-"), INSTANCE);
    const catalog = uniqueName("paged_cat");
    await polaris.createCatalog({
      type: "INTERNAL",
      name: catalog,
      properties: { "default-base-location": `s3://${warehouse.bucket}/${catalog}` },
      storageConfigInfo: motoStorage(warehouse.bucket, catalog, warehouse.roleArn, INSTANCE),
    } as Catalog);
    const names = ["a", "b", "c", "d", "e"];
    for (const name of names) await polaris.createNamespace(catalog, [name]);
    for (const child of ["x", "y", "z"]) await polaris.createNamespace(catalog, ["c", child]);

    proxy.clear();
    expect(await polaris.listNamespaces(catalog, { pageSize: 2 })).toEqual(names.map((name) => [name]));
    const pages = proxy.requests.filter((request) => request.path.endsWith("/namespaces"));
    expect(pages.map((page) => new URLSearchParams(page.query).has("pageToken"))).toEqual([
      false,
      true,
      true,
    ]);

    expect(await polaris.listNamespaces(catalog, { parent: ["c"], pageSize: 2 })).toEqual([
      ["c", "x"],
      ["c", "y"],
      ["c", "z"],
    ]);
  });
});
