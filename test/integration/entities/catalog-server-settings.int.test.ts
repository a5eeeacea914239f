import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as catalog from "../../../src/entities/catalog";
import * as namespace from "../../../src/entities/namespace";
import { clientFor, resolveConnection } from "../../../src/entities/shared/connection";
import { PolarisApiError, PolarisAuthenticationError } from "../../../src/polaris/client/errors";
import { passed, sandboxConnection } from "../../support/entities";
import { call, session, uniqueName } from "../../support/polaris";
import { readEndpoints, sandbox } from "../../support/sandbox";

// The catalog entity module against Polaris servers started with settings the shared sandbox does not have:
// FILE storage, catalog federation, and two realms with the realm header required. Each describe starts its
// own instance and stops it afterwards.

type Connection = ReturnType<typeof sandboxConnection>;

/** Starts a dedicated sandbox instance with the given Polaris properties; stops it after the describe. */
function dedicatedInstance(instance: string, properties: string[]) {
  beforeAll(async () => {
    const result = await sandbox([
      "start",
      "--instance",
      instance,
      ...properties.flatMap((property) => ["--polaris-property", property]),
    ]);
    if (result.code !== 0) throw new Error(`sandbox ${instance} did not start:\n${result.stderr}`);
  });
  afterAll(async () => {
    await sandbox(["stop", "--instance", instance]);
  });
}

async function declared(fields: Record<string, unknown>): Promise<catalog.CatalogInputs> {
  const name = (fields.name as string | undefined) ?? uniqueName("cat");
  return passed(
    await catalog.check!({} as never, { name, owner: `test/${name}`, ...fields } as never),
  ) as unknown as catalog.CatalogInputs;
}

/** S3 storage that never reaches S3: these catalogs hold no data. */
function inertS3(name: string) {
  const location = `s3://${name.replaceAll("_", "-")}/`;
  return {
    defaultBaseLocation: location,
    storage: { storageType: "S3", allowedLocations: [location], stsUnavailable: true },
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

describe("FILE storage (a server with FILE in SUPPORTED_CATALOG_STORAGE_TYPES)", () => {
  const instance = "it-file-storage";
  dedicatedInstance(instance, [
    'polaris.features."SUPPORTED_CATALOG_STORAGE_TYPES"=["S3","FILE"]',
    'polaris.features."ALLOW_INSECURE_STORAGE_TYPES"=true',
  ]);

  const fileLocation = (name: string) => `file://${tmpdir()}/${name}/`;

  function fileCatalog(connection: Connection) {
    const name = uniqueName("filecat");
    const location = fileLocation(name);
    return declared({
      name,
      connection,
      defaultBaseLocation: location,
      properties: { team: "platform" },
      storage: { storageType: "FILE", allowedLocations: [location] },
    });
  }

  it("creates, reads back with no drift, updates in place and deletes a FILE catalog", async () => {
    const inputs = await fileCatalog(sandboxConnection(instance));
    const created = await catalog.create(inputs);
    expect(created.outs!.storage).toEqual(inputs.storage);

    const read = await catalog.read!(created.id, created.outs!);
    expect(read.props!.storage.storageType).toBe("FILE");
    expect(await catalog.diff!(created.id, read.props!, inputs)).toEqual({ changes: false });

    const second = fileLocation(`${inputs.name}-more`);
    const changed = {
      ...inputs,
      properties: { team: "data" },
      storage: { storageType: "FILE" as const, allowedLocations: [inputs.defaultBaseLocation, second] },
    };
    expect(await catalog.diff!(created.id, read.props!, changed)).toEqual({ changes: true });
    const updated = await catalog.update!(created.id, read.props!, changed);
    expect(updated.outs!.properties).toEqual({ team: "data" });
    expect(updated.outs!.storage.allowedLocations).toEqual(
      expect.arrayContaining([inputs.defaultBaseLocation, second]),
    );
    expect(
      await catalog.diff!(created.id, (await catalog.read!(created.id, updated.outs!)).props!, changed),
    ).toEqual({ changes: false });

    await catalog.delete!(created.id, updated.outs!);
    expect(await catalog.read!(created.id, updated.outs!)).toEqual({});
  });

  it("on the shared server, where FILE is not allowed, create fails naming storage type FILE and the setting", async () => {
    const inputs = await fileCatalog(sandboxConnection());
    const error = await rejection(catalog.create(inputs));
    expect(error.message).toMatch(
      /catalog ".*": storage\.storageType FILE is not allowed by this Polaris server \(Polaris: 400 Unsupported storage type: FILE\)\. .*SUPPORTED_CATALOG_STORAGE_TYPES.*ALLOW_INSECURE_STORAGE_TYPES/s,
    );
    expect(error.cause).toBeInstanceOf(PolarisApiError);
    expect((error.cause as PolarisApiError).status).toBe(400);
  });
});

describe("catalog federation (an EXTERNAL catalog whose connection points at the shared sandbox's Polaris)", () => {
  const instance = "it-federation";
  const serviceArn = "arn:aws:iam::123456789012:user/polaris-service";
  dedicatedInstance(instance, [
    'polaris.features."ENABLE_CATALOG_FEDERATION"=true',
    'polaris.features."SUPPORTED_CATALOG_CONNECTION_TYPES"=["ICEBERG_REST"]',
    // The identity Polaris reports to SIGV4 connections (the ARN the remote role must trust).
    `polaris.service-identity.aws-iam.iam-arn=${serviceArn}`,
  ]);

  const remoteCatalog = uniqueName("remote");
  beforeAll(async () => {
    const root = await session();
    const location = `s3://${remoteCatalog.replaceAll("_", "-")}/`;
    const created = await call(root, "POST", "/catalogs", {
      catalog: {
        type: "INTERNAL",
        name: remoteCatalog,
        properties: { "default-base-location": location },
        storageConfigInfo: { storageType: "S3", allowedLocations: [location], stsUnavailable: true },
      },
    });
    expect(created.status).toBe(201);
    expect(
      (await call(root, "POST", `/api/catalog/v1/${remoteCatalog}/namespaces`, { namespace: ["remote_ns"] }))
        .status,
    ).toBe(200);
  });
  afterAll(async () => {
    const root = await session();
    await call(root, "DELETE", `/api/catalog/v1/${remoteCatalog}/namespaces/remote_ns`);
    await call(root, "DELETE", `/catalogs/${remoteCatalog}`);
  });

  /** OAUTH with the shared instance's root credentials, as a remote Polaris expects them. */
  function remoteConnection() {
    const remote = readEndpoints();
    return {
      connectionType: "ICEBERG_REST",
      uri: `${remote.POLARIS_URI}/api/catalog`,
      remoteCatalogName: remoteCatalog,
      authenticationParameters: {
        authenticationType: "OAUTH",
        tokenUri: `${remote.POLARIS_URI}/api/catalog/v1/oauth/tokens`,
        clientId: remote.POLARIS_CLIENT_ID,
        clientSecret: remote.POLARIS_CLIENT_SECRET,
        scopes: ["PRINCIPAL_ROLE:ALL"],
      },
    };
  }

  function federated(connection: Connection, overrides: Record<string, unknown> = {}) {
    const name = uniqueName("fedcat");
    return declared({
      name,
      connection,
      type: "EXTERNAL",
      ...inertS3(name),
      connectionConfig: remoteConnection(),
      ...overrides,
    });
  }

  it("creates, reads back with no drift although Polaris never returns the secret, lists the remote namespaces, and deletes", async () => {
    const connection = sandboxConnection(instance);
    const inputs = await federated(connection);
    const created = await catalog.create(inputs);
    expect(created.outs!.connectionConfig).toEqual(inputs.connectionConfig);
    expect(created.outs!.serviceIdentity, "OAUTH connections get no service identity").toBeUndefined();

    const server = await clientFor(resolveConnection(connection)).getCatalog(inputs.name);
    const serverConnection = (server as { connectionConfigInfo?: { authenticationParameters?: object } })
      .connectionConfigInfo;
    expect(
      serverConnection?.authenticationParameters,
      "Polaris does not return the secret",
    ).not.toHaveProperty("clientSecret");

    const read = await catalog.read!(created.id, created.outs!);
    expect(read.props!.connectionConfig, "the secret is kept from state").toEqual(inputs.connectionConfig);
    expect(await catalog.diff!(created.id, read.props!, inputs)).toEqual({ changes: false });

    // Through the federated catalog, Polaris lists the remote catalog's namespaces.
    const namespaces = await clientFor(resolveConnection(connection)).listNamespaces(inputs.name);
    expect(namespaces).toContainEqual(["remote_ns"]);

    // Properties change in place; the connection cannot.
    const relabelled = { ...inputs, properties: { team: "federation" } };
    const updated = await catalog.update!(created.id, read.props!, relabelled);
    expect(updated.outs!.properties).toEqual({ team: "federation" });
    expect(updated.outs!.connectionConfig).toEqual(inputs.connectionConfig);

    await catalog.delete!(created.id, updated.outs!);
    expect(await catalog.read!(created.id, updated.outs!)).toEqual({});
    const root = await session();
    expect(
      (await call(root, "GET", `/api/catalog/v1/${remoteCatalog}/namespaces/remote_ns`)).status,
      "dropping the federated catalog leaves the remote namespaces alone",
    ).toBe(200);
  });

  it("refuses a connection change in place (a new secret included), and replaces it on allowReplace though the remote holds namespaces", async () => {
    const inputs = await federated(sandboxConnection(instance));
    const created = await catalog.create(inputs);
    const rotated = structuredClone(inputs);
    (rotated.connectionConfig!.authenticationParameters as { clientSecret: string }).clientSecret = "rotated";
    await expect(catalog.diff!(created.id, created.outs!, rotated)).rejects.toThrow(
      /cannot change connectionConfig in place.*allowReplace: true.*no way to change a catalog's connection, its secrets included/s,
    );
    expect(await catalog.diff!(created.id, created.outs!, { ...rotated, allowReplace: true })).toEqual({
      changes: true,
      replaces: ["connectionConfig"],
      deleteBeforeReplace: true,
    });
    await catalog.delete!(created.id, created.outs!);
  });

  it("adopts an existing federated catalog: the secret Polaris does not return is no difference", async () => {
    const connection = sandboxConnection(instance);
    const inputs = await federated(connection);
    await clientFor(resolveConnection(connection)).createCatalog({
      type: "EXTERNAL",
      name: inputs.name,
      properties: { "default-base-location": inputs.defaultBaseLocation },
      storageConfigInfo: inputs.storage,
      connectionConfigInfo: inputs.connectionConfig,
    } as never);
    const otherRemote = { ...inputs.connectionConfig!, remoteCatalogName: "elsewhere" } as never;
    const mismatch = await rejection(
      catalog.create({ ...inputs, connectionConfig: otherRemote, adopt: true }),
    );
    expect(mismatch.message).toMatch(
      /cannot adopt catalog .*connectionConfig: Polaris has .*"remoteCatalogName":"remote_/s,
    );
    expect(mismatch.message, "secrets are masked").not.toContain(readEndpoints().POLARIS_CLIENT_SECRET);

    const adopted = await catalog.create({ ...inputs, adopt: true });
    expect(adopted.outs!.connectionConfig).toEqual(inputs.connectionConfig);
    await catalog.delete!(inputs.name, adopted.outs!);
  });

  it("reports server-filled parts apart and never as drift: SIGV4's serviceIdentity, OAUTH's default scopes", async () => {
    const connection = sandboxConnection(instance);
    const remote = remoteConnection();
    const sigv4 = await federated(connection, {
      connectionConfig: {
        ...remote,
        authenticationParameters: {
          authenticationType: "SIGV4",
          roleArn: "arn:aws:iam::123456789012:role/remote-catalog",
          signingRegion: "us-east-1",
        },
      },
    });
    const { clientSecret, clientId } = remote.authenticationParameters;
    const noScopes = await federated(connection, {
      connectionConfig: {
        ...remote,
        authenticationParameters: { authenticationType: "OAUTH", clientId, clientSecret },
      },
    });
    for (const inputs of [sigv4, noScopes]) {
      const created = await catalog.create(inputs);
      const read = await catalog.read!(created.id, created.outs!);
      expect(read.props!.connectionConfig).toEqual(inputs.connectionConfig);
      expect(await catalog.diff!(created.id, read.props!, inputs)).toEqual({ changes: false });
      if (inputs === sigv4) {
        expect(read.props!.serviceIdentity).toEqual({ identityType: "AWS_IAM", iamArn: serviceArn });
      }
      await catalog.delete!(created.id, read.props!);
    }
  });

  it("explains an authentication or connection type the server does not allow (Polaris answers 500)", async () => {
    const connection = sandboxConnection(instance);
    const remote = remoteConnection();
    const implicit = await federated(connection, {
      connectionConfig: { ...remote, authenticationParameters: { authenticationType: "IMPLICIT" } },
    });
    expect((await rejection(catalog.create(implicit))).message).toMatch(
      /authenticationType IMPLICIT is not allowed by this Polaris server \(Polaris: 500 Unsupported authentication type: IMPLICIT\)\. .*SUPPORTED_EXTERNAL_CATALOG_AUTHENTICATION_TYPES/s,
    );
    const hive = await federated(connection, {
      connectionConfig: {
        connectionType: "HIVE",
        uri: "thrift://127.0.0.1:9083",
        authenticationParameters: { authenticationType: "IMPLICIT" },
      },
    });
    expect((await rejection(catalog.create(hive))).message).toMatch(
      /connectionType HIVE is not allowed by this Polaris server \(Polaris: 500 Unsupported connection type: HIVE\)\. .*SUPPORTED_CATALOG_CONNECTION_TYPES/s,
    );
  });

  it("on the shared server, where federation is off, create fails naming ENABLE_CATALOG_FEDERATION", async () => {
    const inputs = await federated(sandboxConnection());
    const error = await rejection(catalog.create(inputs));
    expect(error.message).toMatch(
      /a connectionConfig needs catalog federation.*\(Polaris: 406 Feature not enabled: ENABLE_CATALOG_FEDERATION\).*ENABLE_CATALOG_FEDERATION"=true/s,
    );
    expect(error.message, "no secret in the message").not.toContain(readEndpoints().POLARIS_CLIENT_SECRET);
  });

  it("refuses at check a connection Polaris would answer with a 500, and serviceIdentity, naming the field", async () => {
    const failures = async (connectionConfig: unknown) =>
      (
        await catalog.check!(
          {} as never,
          {
            name: "c",
            owner: "o",
            type: "EXTERNAL",
            ...inertS3("c"),
            connectionConfig,
          } as never,
        )
      ).failures;
    const remote = remoteConnection();
    const { authenticationParameters: _, ...withoutAuthentication } = remote;
    expect(await failures(withoutAuthentication)).toEqual([
      { property: "connectionConfig.authenticationParameters", reason: expect.stringMatching(/is required/) },
    ]);
    expect(await failures({ ...remote, serviceIdentity: { identityType: "AWS_IAM" } })).toEqual([
      {
        property: "connectionConfig",
        reason: expect.stringMatching(/serviceIdentity is filled in by Polaris/),
      },
    ]);
    expect(await failures({ ...remote, authenticationParameters: { authenticationType: "BEARER" } })).toEqual(
      [
        {
          property: "connectionConfig.authenticationParameters.bearerToken",
          reason: "bearerToken is required for BEARER",
        },
      ],
    );
  });
});

describe("two realms with the Polaris-Realm header required", () => {
  const instance = "it-realms";
  dedicatedInstance(instance, [
    "polaris.realm-context.realms=POLARIS,OTHER",
    "polaris.realm-context.require-header=true",
  ]);

  const inRealm = (realm?: string): Connection => {
    const { realm: _, ...withoutRealm } = sandboxConnection(instance);
    return (realm ? { ...withoutRealm, realm } : withoutRealm) as Connection;
  };

  it("manages entities in realm OTHER, invisible in realm POLARIS", async () => {
    const name = uniqueName("realmcat");
    const inputs = await declared({ name, connection: inRealm("OTHER"), ...inertS3(name) });
    const created = await catalog.create(inputs);
    const ns = passed(
      await namespace.check!(
        {} as never,
        {
          catalog: name,
          levels: ["sales"],
          owner: `test/${name}/sales`,
          connection: inRealm("OTHER"),
        } as never,
      ),
    ) as never;
    const createdNamespace = await namespace.create(ns);

    const read = await catalog.read!(created.id, created.outs!);
    expect(await catalog.diff!(created.id, read.props!, inputs)).toEqual({ changes: false });
    expect(
      await catalog.read!(created.id, { ...created.outs!, connection: inRealm("POLARIS") } as never),
      "realm POLARIS has no such catalog",
    ).toEqual({});
    const polarisCatalogs = await clientFor(resolveConnection(inRealm("POLARIS"))).listCatalogs();
    expect(polarisCatalogs.map((c) => c.name)).not.toContain(name);

    await namespace.delete!(createdNamespace.id, createdNamespace.outs!);
    await catalog.delete!(created.id, created.outs!);
    expect(await catalog.read!(created.id, created.outs!)).toEqual({});
  });

  it("fails with a typed error when the connection names no realm: never taken for a missing catalog", async () => {
    const name = uniqueName("realmcat");
    const inputs = await declared({ name, connection: inRealm("OTHER"), ...inertS3(name) });
    const created = await catalog.create(inputs);
    const noRealm = { ...created.outs!, connection: inRealm() } as never;

    // Read and delete must not take the realm's 404 for "no such catalog": that would drop the catalog from
    // state at refresh, or report a deletion that never happened.
    for (const attempt of [
      () => catalog.read!(created.id, noRealm),
      () => catalog.delete!(created.id, noRealm),
      () => catalog.create({ ...inputs, connection: inRealm() } as never),
    ]) {
      const error = await rejection(attempt());
      expect(error).toBeInstanceOf(PolarisAuthenticationError);
      expect(error).not.toBeInstanceOf(PolarisApiError);
      expect(error.message).toMatch(
        /refused a token to client root \(no realm given\): 404 Missing or invalid realm\. Check the connection's realm/,
      );
    }
    expect(
      (await catalog.read!(created.id, created.outs!)).props,
      "the catalog is still there",
    ).toBeDefined();
    await catalog.delete!(created.id, created.outs!);
  });
});
