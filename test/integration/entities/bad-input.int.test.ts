import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setStackConfig } from "../../../src/dynamic/stack-config";
import * as catalog from "../../../src/entities/catalog";
import * as catalogRole from "../../../src/entities/catalog-role";
import * as catalogRoleAssignment from "../../../src/entities/catalog-role-assignment";
import * as grant from "../../../src/entities/grant";
import * as grantSet from "../../../src/entities/grant-set";
import * as namespace from "../../../src/entities/namespace";
import * as principal from "../../../src/entities/principal";
import * as principalRole from "../../../src/entities/principal-role";
import * as principalRoleAssignment from "../../../src/entities/principal-role-assignment";
import { sandboxConnection } from "../../support/entities";
import { type FaultProxy, startFaultProxy } from "../../support/fault-proxy";
import { readEndpoints } from "../../support/sandbox";

// Bad input fails at preview (check, or diff for a refused change), with a message that names the field
// and says what to do, and without a single HTTP request: the connection points at a counting proxy in
// front of the real Polaris, and the proxy must see nothing.

interface Module {
  check?: (olds: never, news: never) => Promise<{ failures?: { property: string; reason: string }[] }>;
}

describe("bad input is refused before any request", () => {
  let proxy: FaultProxy;
  let connection: ReturnType<typeof sandboxConnection>;
  beforeAll(async () => {
    proxy = await startFaultProxy({ target: new URL(readEndpoints().POLARIS_URI!).origin });
    connection = { ...sandboxConnection(), uri: proxy.uri };
  });
  afterAll(async () => {
    expect(proxy.requests, "no request reached the proxy").toEqual([]);
    await proxy.close();
  });

  const s3 = {
    storageType: "S3",
    allowedLocations: ["s3://warehouse/demo/"],
    roleArn: "arn:aws:iam::123456789012:role/polaris/catalog/demo",
  };
  const goodCatalog = () => ({
    connection,
    owner: "test/bad",
    name: "demo",
    defaultBaseLocation: "s3://warehouse/demo/",
    storage: s3,
  });

  const cases: [string, Module, () => Record<string, unknown>, string, RegExp][] = [
    ["an empty catalog name", catalog, () => ({ ...goodCatalog(), name: "" }), "name", /must not be empty/],
    ["a reserved catalog name", catalog, () => ({ ...goodCatalog(), name: "system$x" }), "name", /reserved/],
    [
      "a slash in a catalog name",
      catalog,
      () => ({ ...goodCatalog(), name: "a/b" }),
      "name",
      /must not contain "\/"/,
    ],
    [
      "a principal role name with a line break",
      principalRole,
      () => ({ connection, owner: "o", name: "a\nb" }),
      "name",
      /control characters/,
    ],
    [
      "a GCS field on S3 storage",
      catalog,
      () => ({ ...goodCatalog(), storage: { ...s3, gcsServiceAccount: "x" } }),
      "storage",
      /Unrecognized key.*gcsServiceAccount/,
    ],
    [
      "an S3 field on GCS storage",
      catalog,
      () => ({
        ...goodCatalog(),
        defaultBaseLocation: "gs://b/d/",
        storage: { storageType: "GCS", allowedLocations: ["gs://b/d/"], roleArn: s3.roleArn },
      }),
      "storage",
      /Unrecognized key.*roleArn/,
    ],
    [
      "an unknown storage type",
      catalog,
      () => ({ ...goodCatalog(), storage: { ...s3, storageType: "HDFS" } }),
      "storage.storageType",
      /S3, GCS, AZURE, FILE/,
    ],
    [
      "a relative allowed location",
      catalog,
      () => ({ ...goodCatalog(), storage: { ...s3, allowedLocations: ["warehouse/demo"] } }),
      "storage.allowedLocations[0]",
      /absolute S3 location/,
    ],
    [
      "overlapping allowed locations",
      catalog,
      () => ({ ...goodCatalog(), storage: { ...s3, allowedLocations: ["s3://w/a/", "s3://w/a/b/"] } }),
      "storage.allowedLocations[1]",
      /overlaps s3:\/\/w\/a\//,
    ],
    [
      "a base location of another storage type",
      catalog,
      () => ({ ...goodCatalog(), defaultBaseLocation: "gs://b/x" }),
      "defaultBaseLocation",
      /absolute S3 location/,
    ],
    [
      "a role ARN that is not one",
      catalog,
      () => ({ ...goodCatalog(), storage: { ...s3, roleArn: "polaris-role" } }),
      "storage.roleArn",
      /AWS IAM ARN/,
    ],
    [
      "an AZURE storage without tenant",
      catalog,
      () => ({
        ...goodCatalog(),
        defaultBaseLocation: "abfss://c@a.dfs.core.windows.net/d/",
        storage: { storageType: "AZURE", allowedLocations: ["abfss://c@a.dfs.core.windows.net/d/"] },
      }),
      "storage.tenantId",
      /tenantId is required/,
    ],
    [
      "default-base-location given as a property",
      catalog,
      () => ({ ...goodCatalog(), properties: { "default-base-location": "s3://x/" } }),
      "properties.default-base-location",
      /defaultBaseLocation/,
    ],
    [
      "a reserved property key",
      principalRole,
      () => ({ connection, owner: "o", name: "r", properties: { "polaris-pulumi.owner": "me" } }),
      "properties",
      /reserved for this library/,
    ],
    [
      "a namespace whose parent is neither declared nor existing",
      namespace,
      () => ({ connection, owner: "o", catalog: "c", levels: ["a", "b"] }),
      "parent",
      /declare it and pass it as `parent`.*parentExists: true/,
    ],
    [
      "a namespace level with a dot",
      namespace,
      () => ({ connection, owner: "o", catalog: "c", levels: ["a.b"] }),
      "levels[0]",
      /give each level separately/,
    ],
    [
      "the built-in principal",
      principal,
      () => ({ connection, owner: "o", name: "root" }),
      "name",
      /built into Polaris/,
    ],
    [
      "the built-in catalog role",
      catalogRole,
      () => ({ connection, owner: "o", catalog: "c", name: "catalog_admin" }),
      "name",
      /built into Polaris/,
    ],
    [
      "the built-in root to service_admin assignment",
      principalRoleAssignment,
      () => ({ connection, principal: "root", principalRole: "service_admin" }),
      "principalRole",
      /built in/,
    ],
    [
      "the built-in catalog_admin to service_admin assignment",
      catalogRoleAssignment,
      () => ({ connection, catalog: "c", catalogRole: "catalog_admin", principalRole: "service_admin" }),
      "catalogRole",
      /cannot be declared/,
    ],
    [
      "chosen credentials with a short secret",
      principal,
      () => ({ connection, owner: "o", name: "p", credentials: { clientId: "id", clientSecret: "short" } }),
      "credentials.clientSecret",
      /at least 8 characters/,
    ],
    [
      "a connection URI that is not a URL",
      principalRole,
      () => ({ connection: { ...connection, uri: "polaris:8181" }, owner: "o", name: "r" }),
      "connection.uri",
      /http\(s\) URL/,
    ],
    [
      "a connection URI with the API path",
      principalRole,
      () => ({
        connection: { ...connection, uri: `${connection.uri}/api/management/v1` },
        owner: "o",
        name: "r",
      }),
      "connection.uri",
      /without \/api/,
    ],
    [
      "a connection with an empty client id",
      principalRole,
      () => ({ connection: { ...connection, clientId: "" }, owner: "o", name: "r" }),
      "connection.clientId",
      /clientId must not be empty/,
    ],
    [
      "a connection timeout that is not positive",
      principalRole,
      () => ({ connection: { ...connection, timeoutMs: 0 }, owner: "o", name: "r" }),
      "connection.timeoutMs",
      /expected number to be >0/,
    ],
    [
      "a name longer than Polaris allows",
      principalRole,
      () => ({ connection, owner: "o", name: "r".repeat(257) }),
      "name",
      /at most 256 characters/,
    ],
    [
      "a name with a trailing space",
      catalog,
      () => ({ ...goodCatalog(), name: "demo " }),
      "name",
      /must not start or end with whitespace/,
    ],
    [
      "a property value that is not a string",
      principalRole,
      () => ({ connection, owner: "o", name: "r", properties: { retention: 7 } }),
      "properties.retention",
      /property values must be strings/,
    ],
    [
      "a connectionConfig on an INTERNAL catalog",
      catalog,
      () => ({
        ...goodCatalog(),
        connectionConfig: {
          connectionType: "ICEBERG_REST",
          uri: "https://remote.example.com/api/catalog",
          authenticationParameters: { authenticationType: "IMPLICIT" },
        },
      }),
      "connectionConfig",
      /only EXTERNAL catalogs have a connectionConfig; set type: EXTERNAL or remove it/,
    ],
    [
      "a connection without a secret",
      principalRole,
      () => ({ connection: { uri: connection.uri, clientId: "root" }, owner: "o", name: "r" }),
      "connection.clientSecret",
      /clientSecret is required/,
    ],
    [
      "an unknown privilege, with a suggestion",
      grant,
      () => ({
        connection,
        catalog: "c",
        catalogRole: "r",
        grant: { type: "table", namespace: ["a"], table: "t", privilege: "TABLE_READ_DTA" },
      }),
      "grant.privilege",
      /did you mean TABLE_READ_DATA/,
    ],
    [
      "a privilege at the wrong level",
      grant,
      () => ({
        connection,
        catalog: "c",
        catalogRole: "r",
        grant: { type: "table", namespace: ["a"], table: "t", privilege: "NAMESPACE_CREATE" },
      }),
      "grant.privilege",
      /NAMESPACE_CREATE is not a table-level privilege; Polaris grants it at the catalog, namespace levels/,
    ],
    [
      "a table grant without a namespace",
      grant,
      () => ({
        connection,
        catalog: "c",
        catalogRole: "r",
        grant: { type: "table", table: "t", privilege: "TABLE_READ_DATA" },
      }),
      "grant.namespace",
      /needs the namespace that holds the table/,
    ],
    [
      "a table grant without the table",
      grant,
      () => ({
        connection,
        catalog: "c",
        catalogRole: "r",
        grant: { type: "table", namespace: ["a"], privilege: "TABLE_READ_DATA" },
      }),
      "grant.table",
      /needs the table's name/,
    ],
    [
      "a view name on a namespace grant",
      grant,
      () => ({
        connection,
        catalog: "c",
        catalogRole: "r",
        grant: { type: "namespace", namespace: ["a"], view: "v", privilege: "NAMESPACE_LIST" },
      }),
      "grant.view",
      /belongs to view grants/,
    ],
    [
      "a catalog grant with a namespace",
      grant,
      () => ({
        connection,
        catalog: "c",
        catalogRole: "r",
        grant: { type: "catalog", namespace: ["a"], privilege: "CATALOG_MANAGE_CONTENT" },
      }),
      "grant.namespace",
      /has no namespace/,
    ],
    [
      "an unknown grant type",
      grant,
      () => ({ connection, catalog: "c", catalogRole: "r", grant: { type: "column", privilege: "X" } }),
      "grant.type",
      /one of catalog, namespace, table, view, policy/,
    ],
    [
      "a catalog_admin system grant declared",
      grant,
      () => ({
        connection,
        catalog: "c",
        catalogRole: "catalog_admin",
        grant: { type: "catalog", privilege: "CATALOG_MANAGE_ACCESS" },
      }),
      "grant",
      /holds catalog:CATALOG_MANAGE_ACCESS from Polaris/,
    ],
    [
      "an empty authoritative set",
      grantSet,
      () => ({ connection, catalog: "c", catalogRole: "r", grants: {} }),
      "grants",
      /at least one grant; to revoke them all, delete the resource/,
    ],
    [
      "a set entry under the wrong key",
      grantSet,
      () => ({
        connection,
        catalog: "c",
        catalogRole: "r",
        grants: { x: { type: "catalog", privilege: "CATALOG_MANAGE_CONTENT" } },
      }),
      "grants.x",
      /must be catalog:CATALOG_MANAGE_CONTENT/,
    ],
  ];

  it.each(cases)("%s", async (_title, module, inputs, property, reason) => {
    const result = await module.check!({} as never, inputs() as never);
    const failure = result.failures?.find((candidate) => candidate.property === property);
    expect(failure, JSON.stringify(result.failures)).toBeDefined();
    expect(failure!.reason).toMatch(reason);
  });

  // The connection may come from stack config (polaris:*) or the environment (POLARIS_*) instead of the
  // resource; it is resolved when an operation runs, still before any request, and the error names the
  // setting as the user wrote it. "{proxy}" stands for the counting proxy's URI.
  const connectionCases: [string, Record<string, string>, Record<string, string>, RegExp][] = [
    [
      "stack config polaris:uri with the API path",
      {
        "polaris:uri": "{proxy}/api/catalog",
        "polaris:clientId": "root",
        "polaris:clientSecret": "s",
      },
      {},
      /^invalid Polaris connection: stack config polaris:uri is the server's base URL, without \/api\//,
    ],
    [
      "stack config polaris:uri with another scheme",
      { "polaris:uri": "ftp://{proxy-host}", "polaris:clientId": "root", "polaris:clientSecret": "s" },
      {},
      /stack config polaris:uri must be an http\(s\) URL such as https:\/\/polaris\.example\.com/,
    ],
    [
      "stack config without polaris:clientSecret",
      { "polaris:uri": "{proxy}", "polaris:clientId": "root" },
      {},
      /^invalid Polaris connection: stack config polaris:clientSecret is required$/,
    ],
    [
      "POLARIS_URI in the environment that is not a URL",
      {},
      { POLARIS_URI: "polaris.example.com", POLARIS_CLIENT_ID: "root", POLARIS_CLIENT_SECRET: "s" },
      /environment variable POLARIS_URI must be an http\(s\) URL/,
    ],
    [
      "no connection anywhere",
      {},
      {},
      /no Polaris connection: give the resource a `connection`.*stack config polaris:uri.*POLARIS_URI/,
    ],
  ];

  it.each(connectionCases)("%s", async (_title, config, environment, message) => {
    const variables = ["POLARIS_URI", "POLARIS_REALM", "POLARIS_CLIENT_ID", "POLARIS_CLIENT_SECRET"];
    const saved = Object.fromEntries(variables.map((name) => [name, process.env[name]]));
    for (const name of variables) delete process.env[name];
    Object.assign(process.env, environment);
    const atProxy = (value: string | undefined) =>
      value?.replace("{proxy-host}", new URL(proxy.uri).host).replace("{proxy}", proxy.uri);
    setStackConfig({ get: (key) => atProxy(config[key]) });
    try {
      const inputs = (await principalRole.check!({} as never, { owner: "o", name: "r" } as never)).inputs;
      await expect(principalRole.create(inputs as never)).rejects.toThrow(message);
    } finally {
      setStackConfig(undefined);
      for (const name of variables) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });

  it("an input that is another resource's output, unknown at preview, passes check", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const result = await catalog.check!(
      {} as never,
      { ...goodCatalog(), name: unknown, storage: unknown } as never,
    );
    expect(result.failures ?? []).toEqual([]);
  });

  it("a refused catalog change fails at preview, naming the field and the ways out", async () => {
    const olds = { ...(await catalog.check!({} as never, goodCatalog() as never)).inputs } as never;
    const changes: [Record<string, unknown>, RegExp][] = [
      [{ type: "EXTERNAL" }, /cannot change type in place/],
      [
        { storage: { ...s3, roleArn: "arn:aws:iam::999999999999:role/x" } },
        /cannot change storage\.roleArn in place/,
      ],
      [{ storage: { ...s3, externalId: "new-external-id" } }, /cannot change storage\.externalId in place/],
      [
        {
          defaultBaseLocation: "gs://b/demo/",
          storage: { storageType: "GCS", allowedLocations: ["gs://b/demo/"] },
        },
        /cannot change storage\.storageType in place/,
      ],
    ];
    for (const [change, message] of changes) {
      await expect(catalog.diff!("demo", olds, { ...goodCatalog(), ...change } as never)).rejects.toThrow(
        message,
      );
      await expect(catalog.diff!("demo", olds, { ...goodCatalog(), ...change } as never)).rejects.toThrow(
        /allowReplace: true.*only possible while it holds no namespace/s,
      );
    }
  });
});
