import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as catalog from "../../../src/entities/catalog";
import * as catalogRole from "../../../src/entities/catalog-role";
import * as catalogRoleAssignment from "../../../src/entities/catalog-role-assignment";
import * as grant from "../../../src/entities/grant";
import * as namespace from "../../../src/entities/namespace";
import * as attachment from "../../../src/entities/policy-attachment";
import * as principalRole from "../../../src/entities/principal-role";
import * as principalRoleAssignment from "../../../src/entities/principal-role-assignment";
import type { RoleInputs } from "../../../src/entities/roles";
import {
  type Catalog,
  PolarisApiError,
  PolarisAuthenticationError,
  PolarisClient,
  type PolarisConnection,
  PolarisResponseError,
  PolarisTransportError,
  TokenCache,
} from "../../../src/polaris/client";
import { subject } from "../../../src/polaris/client/errors";
import { passed, sandboxConnection } from "../../support/entities";
import { type FaultProxy, seededRandom, startFaultProxy } from "../../support/fault-proxy";
import { motoWarehouse } from "../../support/moto-warehouse";
import {
  call,
  createS3Catalog,
  motoStorage,
  type PolarisSession,
  s3CatalogBody,
  session,
  uniqueName,
} from "../../support/polaris";
import { readEndpoints } from "../../support/sandbox";

// Error answers as a user meets them: each case provokes one through the entity modules (what the dynamic
// providers call) or the PolarisClient, against the sandbox's real Polaris behind a counting fault proxy.
// Polaris gives every 400, 401, 403, 404 and 409 here itself; the proxy answers in its place (`respond`)
// only for what Polaris cannot be made to give: its 500, and the pages of gateways and proxies in front of
// it. Each error must be typed, name the operation and the entity the way a user reads them, say what
// happened and, where there is one, the way out, and be more than a stack trace.

type ErrorClass =
  | typeof PolarisApiError
  | typeof PolarisAuthenticationError
  | typeof PolarisTransportError
  | typeof PolarisResponseError;

interface ApiErrorCase {
  title: string;
  provoke: () => Promise<unknown>;
  /** The typed error; "entity" for an entity module's own explanation of a typed error it caught. */
  type: ErrorClass | "entity";
  /** How the message starts: the operation and the entity, as a user reads them. */
  says: string;
  /** What happened. */
  what: RegExp;
  /** What to do about it. */
  remedy: RegExp;
  /** The HTTP status, where the error carries one. */
  status?: number;
  /** Further checks on what reached the proxy. */
  sent?: (proxy: FaultProxy) => void;
}

const GATEWAY_PAGE =
  "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>" +
  "<hr><center>nginx</center></body></html>";
const fastRetry = (attempts: number) => ({
  attempts,
  baseDelayMs: 10,
  maxDelayMs: 20,
  random: seededRandom(3),
});

describe("API errors, as a user reads them", () => {
  let proxy: FaultProxy;
  let root: PolarisSession;
  let realm: string;
  let rootSecret: string;
  let warehouse: { bucket: string; roleArn: string };
  let powerless: { clientId: string; clientSecret: string };
  const tokens = () => new TokenCache();

  // Made outside the stack before the cases run.
  const existing = uniqueName("apierr_cat");
  const powerlessName = uniqueName("apierr_nopriv");
  const outsideRole = uniqueName("outside_role");
  const grantRole = uniqueName("grant_role");
  const contested = uniqueName("contested_role");
  const missing = uniqueName("missing");

  const asRoot = (): PolarisConnection => ({ ...sandboxConnection(), uri: proxy.uri });
  const asPowerless = (): PolarisConnection => ({ uri: proxy.uri, realm, ...powerless });
  const client = (connection = asRoot(), attempts = 1) =>
    new PolarisClient(connection, { retry: fastRetry(attempts), tokenCache: tokens() });

  async function checked<T>(module: { check?: (o: never, n: never) => Promise<unknown> }, inputs: object) {
    return passed((await module.check!({} as never, inputs as never)) as { inputs?: T }) as T;
  }
  const catalogInputs = (name: string, location: string, connection = asRoot()) =>
    checked<catalog.CatalogInputs>(catalog, {
      connection,
      owner: `test/${name}`,
      name,
      defaultBaseLocation: location,
      storage: { ...motoStorage(warehouse.bucket, name, warehouse.roleArn), allowedLocations: [location] },
    });
  const catalogOf = async (name: string, connection = asRoot()) => {
    const inputs = await catalogInputs(name, `s3://${warehouse.bucket}/${name}/`, connection);
    return { ...inputs, entityVersion: 1, serverStorage: {} } as catalog.CatalogOutputs;
  };

  beforeAll(async () => {
    const endpoints = readEndpoints();
    realm = endpoints.POLARIS_REALM!;
    rootSecret = endpoints.POLARIS_CLIENT_SECRET!;
    proxy = await startFaultProxy({ target: new URL(endpoints.POLARIS_URI!).origin });
    root = await session();
    warehouse = await motoWarehouse(uniqueName("apierr").replaceAll("_", "-"));
    await createS3Catalog(root, warehouse, existing);
    const setup = [
      await call(root, "POST", `/api/catalog/v1/${existing}/namespaces`, { namespace: ["sales"] }),
      await call(root, "POST", `/api/catalog/v1/${existing}/namespaces`, { namespace: ["sales", "emea"] }),
      await call(root, "POST", `/catalogs/${existing}/catalog-roles`, { catalogRole: { name: outsideRole } }),
      await call(root, "POST", `/catalogs/${existing}/catalog-roles`, { catalogRole: { name: grantRole } }),
      await call(root, "POST", "/principal-roles", { principalRole: { name: contested } }),
      await call(root, "POST", `/api/catalog/polaris/v1/${existing}/namespaces/sales/policies`, {
        name: "compaction",
        type: "system.data-compaction",
        content: '{"enable":true}',
      }),
      await call(root, "POST", `/api/catalog/polaris/v1/${existing}/namespaces/sales/policies`, {
        name: "compaction_two",
        type: "system.data-compaction",
        content: '{"enable":false}',
      }),
      await call(
        root,
        "PUT",
        `/api/catalog/polaris/v1/${existing}/namespaces/sales/policies/compaction/mappings`,
        {
          target: { type: "namespace", path: ["sales"] },
        },
      ),
    ];
    expect(setup.map((reply) => reply.status)).toEqual([200, 200, 201, 201, 201, 200, 200, 204]);
    // A principal with no role at all: every management call it makes is refused.
    const created = await call<{ credentials: typeof powerless }>(root, "POST", "/principals", {
      principal: { name: powerlessName },
    });
    powerless = created.body.credentials;
  });

  afterAll(async () => {
    await proxy?.close();
    await call(root, "DELETE", `/principals/${powerlessName}`);
    await call(root, "DELETE", `/principal-roles/${contested}`);
  });

  const cases: ApiErrorCase[] = [
    // 400: Polaris refuses the request.
    {
      title: "400 a catalog whose location lies inside another catalog's",
      provoke: async () =>
        catalog.create(await catalogInputs(missing, `s3://${warehouse.bucket}/${existing}/inner/`)),
      type: PolarisApiError,
      status: 400,
      says: `create catalog ${missing}`,
      what: /400 Bad Request: Cannot create Catalog .* overlaps with an existing catalog/,
      remedy:
        /locations that neither lie inside another catalog's nor contain one.*ALLOW_OVERLAPPING_CATALOG_URLS/,
    },
    {
      title: "400 a namespace with a location of its own",
      provoke: async () =>
        namespace.create(
          await checked<namespace.NamespaceInputs>(namespace, {
            connection: asRoot(),
            owner: "test/custom-location",
            catalog: existing,
            levels: ["custom"],
            properties: { location: `s3://${warehouse.bucket}/elsewhere/custom/` },
          }),
        ),
      type: PolarisApiError,
      status: 400,
      says: `create namespace custom in catalog ${existing}`,
      what: /400 Bad Request: Namespace custom has a custom location, which is not enabled/,
      remedy: /Leave out the `location` property/,
    },
    {
      title: "400 a privilege Polaris does not know (sent past the check, through the client)",
      provoke: () =>
        client().addGrant(existing, grantRole, {
          type: "catalog",
          privilege: "TABLE_READ_DTA" as "TABLE_LIST",
        }),
      type: PolarisApiError,
      status: 400,
      says: `add grant TABLE_READ_DTA on the catalog to catalog role ${grantRole} in catalog ${existing}`,
      what: /400 Bad Request: HTTP 400 Bad Request/,
      remedy: /could not read the request: a value it does not know \(such as a privilege/,
    },
    {
      title: "400 revoking a grant the role does not hold",
      provoke: () => client().revokeGrant(existing, grantRole, { type: "catalog", privilege: "TABLE_LIST" }),
      type: PolarisApiError,
      status: 400,
      says: `revoke grant TABLE_LIST on the catalog from catalog role ${grantRole} in catalog ${existing}`,
      what: /400 Bad Request: Operation failed: GRANT_NOT_FOUND/,
      remedy: /nothing to revoke: the role does not hold it/,
    },
    {
      title: "400 deleting a catalog that holds namespaces",
      provoke: async () => catalog.delete!(existing, await catalogOf(existing)),
      type: "entity",
      status: 400,
      says: `catalog "${existing}" cannot be deleted while it holds namespaces`,
      what: /it is not empty/,
      remedy: /Declare them in this stack so they are deleted first, or remove them in Polaris/,
    },
    {
      title: "400 policy content Polaris refuses (sent past the check, through the client)",
      provoke: () =>
        client().createPolicy(existing, ["sales"], {
          name: "invalid",
          type: "system.data-compaction",
          content: '{"enable":"yes"}',
        }),
      type: PolarisApiError,
      status: 400,
      says: `create policy invalid in namespace sales of catalog ${existing}`,
      what: /400 Bad Request: Invalid policy/,
      remedy: /Check the content against the policy type's schema/,
    },
    {
      title: "400 dropping a policy that is still attached",
      provoke: () => client().deletePolicy(existing, ["sales"], "compaction"),
      type: PolarisApiError,
      status: 400,
      says: `delete policy compaction in namespace sales of catalog ${existing}`,
      what: /400 Bad Request: Policy .* is still attached to entities/,
      remedy: /Detach it everywhere first, or delete it with detachAll/,
    },

    // 401: no token, or a token Polaris no longer takes.
    {
      title: "401 a wrong client secret",
      provoke: async () =>
        catalogRole.create(
          await checked(catalogRole, {
            connection: { ...asRoot(), clientSecret: "not-the-root-secret" },
            owner: "test/r",
            catalog: existing,
            name: "r",
          }),
        ),
      type: PolarisAuthenticationError,
      status: 401,
      says: `create catalog role r in catalog ${existing}`,
      what: /refused a token to client root in realm POLARIS: 401 unauthorized_client/,
      remedy: /Check the connection's realm, clientId and clientSecret \(or stack config polaris:realm/,
      sent: (p) => expect(p.count()).toBe(1),
    },
    {
      title: "404 at the token endpoint: a realm Polaris does not serve",
      provoke: async () =>
        principalRole.read!(contested, {
          ...(await roleState(contested)),
          connection: { ...asRoot(), realm: "NO_SUCH_REALM", scope: "PRINCIPAL_ROLE:ALL" },
        }),
      type: PolarisAuthenticationError,
      status: 404,
      says: `get principal role ${contested}`,
      what: /refused a token to client root in realm NO_SUCH_REALM: 404/,
      remedy: /Check the connection's realm/,
    },
    {
      title: "401 a token refused again right after a fresh one was issued",
      provoke: async () => {
        proxy.script(
          { method: "GET", path: `/api/management/v1/catalogs/${existing}` },
          { kind: "expire-token" },
          2,
        );
        return catalog.read!(existing, await catalogOf(existing));
      },
      type: PolarisApiError,
      status: 401,
      says: `get catalog ${existing}`,
      what: /401 Unauthorized/,
      remedy:
        /refused a token it had just issued: the replicas of one Polaris must share one token-broker key pair/,
      sent: (p) => expect(p.count({ outcome: "token-expired" })).toBe(2),
    },
    {
      title: "401 an HTML page from an authenticating proxy in front of Polaris",
      provoke: async () => {
        proxy.script(
          { method: "GET", path: `/api/management/v1/catalogs/${existing}` },
          {
            kind: "respond",
            status: 401,
            body: "<html><title>Sign in</title></html>",
            contentType: "text/html",
          },
          2,
        );
        return catalog.read!(existing, await catalogOf(existing));
      },
      type: PolarisApiError,
      status: 401,
      says: `get catalog ${existing}`,
      what: /401 Unauthorized/,
      remedy: /The answer \(an HTML page titled "Sign in"\) is not Polaris' JSON error/,
    },

    // 403: a principal without the privilege.
    {
      title: "403 a principal without privileges creates a catalog role",
      provoke: async () =>
        catalogRole.create(
          await checked(catalogRole, {
            connection: asPowerless(),
            owner: "test/r",
            catalog: existing,
            name: "r",
          }),
        ),
      type: PolarisApiError,
      status: 403,
      says: `create catalog role r in catalog ${existing}`,
      what: new RegExp(
        `403 Forbidden: Principal '${powerlessName}' .* is not authorized for op CREATE_CATALOG_ROLE`,
      ),
      remedy:
        /The connection's principal lacks the privilege for this: assign it a principal role that holds it/,
    },
    {
      title: "403 a principal without privileges refreshes a catalog",
      provoke: async () => catalog.read!(existing, await catalogOf(existing, asPowerless())),
      type: PolarisApiError,
      status: 403,
      says: `get catalog ${existing}`,
      what: /403 Forbidden: .* is not authorized for op GET_CATALOG/,
      remedy: /lacks the privilege/,
    },

    // 404: something the request names does not exist.
    {
      title: "404 a namespace in a catalog that does not exist",
      provoke: async () =>
        namespace.create(
          await checked(namespace, {
            connection: asRoot(),
            owner: "test/n",
            catalog: missing,
            levels: ["sales"],
          }),
        ),
      type: PolarisApiError,
      status: 404,
      says: `create namespace sales in catalog ${missing}`,
      what: /404 Not Found: Namespace does not exist/,
      remedy: /Check that it exists, and the catalog, namespace or role it belongs to/,
    },
    {
      title: "404 updating a catalog deleted outside the stack",
      provoke: async () => {
        const gone = uniqueName("gone");
        await createS3Catalog(root, warehouse, gone);
        expect((await call(root, "DELETE", `/catalogs/${gone}`)).status).toBe(204);
        const news = await catalogInputs(gone, `s3://${warehouse.bucket}/${gone}/`);
        return catalog.update!(gone, await catalogOf(gone), { ...news, properties: { team: "x" } });
      },
      type: PolarisApiError,
      status: 404,
      says: "get catalog gone_",
      what: /404 Not Found: TopLevelEntity of type CATALOG does not exist/,
      remedy: /`pulumi refresh` records entities deleted outside the stack/,
    },
    {
      title: "404 a principal role assigned to a principal that does not exist",
      provoke: async () =>
        principalRoleAssignment.create(
          await checked(principalRoleAssignment, {
            connection: asRoot(),
            principal: missing,
            principalRole: contested,
          }),
        ),
      type: PolarisApiError,
      status: 404,
      says: `assign principal role ${contested} to principal ${missing}`,
      what: new RegExp(`404 Not Found: Entity ${missing} not found`),
      remedy: /Check that it exists/,
    },
    {
      title: "404 a catalog role that does not exist, assigned",
      provoke: async () =>
        catalogRoleAssignment.create(
          await checked(catalogRoleAssignment, {
            connection: asRoot(),
            catalog: existing,
            catalogRole: missing,
            principalRole: contested,
          }),
        ),
      type: PolarisApiError,
      status: 404,
      says: `assign catalog role ${missing} in catalog ${existing} to principal role ${contested}`,
      what: /404 Not Found: Entity .* not found when trying to assign/,
      remedy: /Check that it exists/,
    },
    {
      title: "404 a grant on a namespace that does not exist",
      provoke: async () =>
        grant.create(
          await checked(grant, {
            connection: asRoot(),
            catalog: existing,
            catalogRole: grantRole,
            grant: { type: "namespace", namespace: ["nowhere"], privilege: "TABLE_LIST" },
          }),
        ),
      type: "entity",
      status: 404,
      says: `cannot grant TABLE_LIST on namespace nowhere in catalog ${existing}: it does not exist`,
      what: /\(Namespace does not exist: nowhere\)/,
      remedy: /Create it first .*or remove the grant/,
    },
    {
      title: "404 a policy attached to a namespace that does not exist",
      provoke: async () =>
        attachment.create(
          await checked(attachment, {
            connection: asRoot(),
            catalog: existing,
            policyNamespace: ["sales"],
            policyName: "compaction",
            target: { type: "namespace", path: ["nowhere"] },
          }),
        ),
      type: "entity",
      status: 404,
      says: `cannot attach policy compaction (namespace sales of catalog ${existing}) to namespace nowhere`,
      what: /Namespace does not exist: nowhere/,
      remedy: /Create the policy and the target first/,
    },

    // 409: it exists already, or changed in between.
    {
      title: "409 a catalog role that exists and is not this stack's",
      provoke: async () =>
        catalogRole.create(
          await checked(catalogRole, {
            connection: asRoot(),
            owner: "test/mine",
            catalog: existing,
            name: outsideRole,
          }),
        ),
      type: "entity",
      says: `catalog role "${existing}/${outsideRole}" already exists in Polaris and is not managed by this resource`,
      what: /already exists/,
      remedy: /set `adopt: true` on the resource .*or choose another name/,
    },
    {
      title: "409 a catalog that exists, created again through the client",
      provoke: () => client().createCatalog(s3CatalogBody(warehouse, existing) as Catalog),
      type: PolarisApiError,
      status: 409,
      says: `create catalog ${existing}`,
      what: /409 Conflict: Cannot create Catalog .* already exists/,
      remedy: /choose another name, or set `adopt: true` on the resource to take it over/,
    },
    {
      title: "409 a stale entity version",
      provoke: async () => {
        const polaris = client();
        const current = await polaris.getCatalog(existing);
        await polaris.updateCatalog(existing, {
          currentEntityVersion: current.entityVersion!,
          properties: { ...current.properties, touched: "once" },
        });
        return polaris.updateCatalog(existing, {
          currentEntityVersion: current.entityVersion!,
          properties: { ...current.properties, touched: "twice" },
        });
      },
      type: PolarisApiError,
      status: 409,
      says: `update catalog ${existing}`,
      what: /409 Conflict: Failed to update Catalog; currentEntityVersion/,
      remedy: /Someone else changed it at the same time: run the operation again/,
    },
    {
      title: "409 an outside change before each of the two attempts of a versioned update",
      provoke: async () => {
        const state = await roleState(contested);
        proxy.beforeForward(
          { method: "PUT", path: `/api/management/v1/principal-roles/${contested}` },
          () => editOutside(contested),
          2,
        );
        const news = { ...(await roleInputs(contested)), properties: { team: "ours" } };
        return principalRole.update!(contested, state, news);
      },
      type: PolarisApiError,
      status: 409,
      says: `update principal role ${contested}`,
      what: /409 Conflict: Failed to update PrincipalRole/,
      remedy: /Someone else changed it at the same time/,
      sent: (p) => expect(p.count({ method: "PUT", status: 409 })).toBe(2),
    },
    {
      title: "409 a second policy of one type on one namespace",
      provoke: async () =>
        attachment.create(
          await checked(attachment, {
            connection: asRoot(),
            catalog: existing,
            policyNamespace: ["sales"],
            policyName: "compaction_two",
            target: { type: "namespace", path: ["sales"] },
          }),
        ),
      type: "entity",
      status: 409,
      says: `cannot attach policy compaction_two (namespace sales of catalog ${existing}) to namespace sales`,
      what: /another policy of the same type is attached there already/,
      remedy: /Detach that one first, or attach this policy elsewhere/,
    },
    {
      title: "409 deleting a namespace that holds another",
      provoke: async () => {
        const state = await checked<namespace.NamespaceInputs>(namespace, {
          connection: asRoot(),
          owner: "test/sales",
          catalog: existing,
          levels: ["sales"],
        });
        return namespace.delete!(`${existing}/sales`, { ...state, path: "sales" });
      },
      type: "entity",
      status: 409,
      says: `namespace sales in catalog ${existing} is not empty`,
      what: /Namespace sales is not empty/,
      remedy: /Drop its tables, views and child namespaces first/,
    },

    // Answers Polaris cannot be made to give, from the proxy in its place.
    {
      title: "500 with Polaris' JSON error",
      provoke: async () => {
        proxy.script(
          { method: "GET", path: `/api/management/v1/catalogs/${existing}` },
          {
            kind: "respond",
            status: 500,
            body: JSON.stringify({
              error: {
                message: "Unexpected error: NullPointerException",
                type: "RuntimeException",
                code: 500,
              },
            }),
          },
        );
        return catalog.read!(existing, await catalogOf(existing));
      },
      type: PolarisApiError,
      status: 500,
      says: `get catalog ${existing}`,
      what: /500 Internal Server Error: Unexpected error: NullPointerException/,
      remedy: /Polaris failed while handling the request; its server log holds the cause/,
      sent: (p) => expect(p.count({ status: 500 }), "a 500 is not retried").toBe(1),
    },
    {
      title: "502 a gateway's HTML page on a create, which is not sent again",
      provoke: async () => {
        proxy.script(
          { method: "POST", path: `/api/management/v1/catalogs/${existing}/catalog-roles` },
          { kind: "respond", status: 502, body: GATEWAY_PAGE, contentType: "text/html" },
        );
        return catalogRole.create(
          await checked(catalogRole, {
            connection: asRoot(),
            owner: "test/gw",
            catalog: existing,
            name: "gw",
          }),
        );
      },
      type: PolarisApiError,
      status: 502,
      says: `create catalog role gw in catalog ${existing}`,
      what: /^[^<]*502 Bad Gateway\./,
      remedy:
        /The answer \(an HTML page titled "502 Bad Gateway"\) came from a gateway or proxy in front of Polaris/,
      sent: (p) => expect(p.count({ method: "POST", status: 502 })).toBe(1),
    },
    {
      title: "503 a gateway's HTML page on every attempt",
      provoke: () => {
        proxy.script(
          { path: "/api/management/v1/catalogs" },
          {
            kind: "respond",
            status: 503,
            body: "<html><body>Service Unavailable</body></html>",
            contentType: "text/html",
          },
          3,
        );
        return client(asRoot(), 3).listCatalogs();
      },
      type: PolarisApiError,
      status: 503,
      says: "list catalogs",
      what: /503 Service Unavailable \(after 3 attempts\)/,
      remedy:
        /The answer \(an HTML page\) came from a gateway or proxy in front of Polaris, not from Polaris/,
    },
    {
      title: "502 a gateway's page at the token endpoint",
      provoke: () => {
        proxy.script(
          { path: "/api/catalog/v1/oauth/tokens" },
          { kind: "respond", status: 502, body: GATEWAY_PAGE, contentType: "text/html" },
          2,
        );
        return client(asRoot(), 2).listCatalogs();
      },
      type: PolarisAuthenticationError,
      status: 502,
      says: "list catalogs",
      what: /no token from Polaris at .* for client root in realm POLARIS: 502 Bad Gateway \(after 2 attempts\)/,
      remedy: /came from a gateway or proxy in front of Polaris/,
    },
    {
      title: "404 an ingress's HTML page on a refresh, not taken for a deleted catalog",
      provoke: async () => {
        proxy.script(
          { method: "GET", path: `/api/management/v1/catalogs/${existing}` },
          {
            kind: "respond",
            status: 404,
            body: "<html><title>404 Not Found</title></html>",
            contentType: "text/html",
          },
        );
        return catalog.read!(existing, await catalogOf(existing));
      },
      type: PolarisApiError,
      status: 404,
      says: `get catalog ${existing}`,
      what: /404 Not Found\./,
      remedy:
        /is not Polaris' JSON error, so something else answered: check that connection.uri .* is Polaris' base URL/,
    },
    {
      title: "400 a firewall's text answer on a create",
      provoke: async () => {
        proxy.script(
          { method: "POST", path: `/api/catalog/v1/${existing}/namespaces` },
          { kind: "respond", status: 400, body: "Request blocked.", contentType: "text/plain" },
        );
        return namespace.create(
          await checked(namespace, {
            connection: asRoot(),
            owner: "test/w",
            catalog: existing,
            levels: ["waf"],
          }),
        );
      },
      type: PolarisApiError,
      status: 400,
      says: `create namespace waf in catalog ${existing}`,
      what: /400 Bad Request\./,
      remedy: /The answer \(a text\/plain body\) is not Polaris' JSON error/,
    },
    {
      title: "200 a login page instead of JSON",
      provoke: async () => {
        proxy.script(
          { method: "GET", path: `/api/management/v1/catalogs/${existing}` },
          {
            kind: "respond",
            status: 200,
            body: "<!DOCTYPE html><html><title>Sign in</title></html>",
            contentType: "text/html",
          },
        );
        return catalog.read!(existing, await catalogOf(existing));
      },
      type: PolarisResponseError,
      says: `get catalog ${existing}`,
      what: /unexpected response from Polaris: HTTP 200 with an HTML page titled "Sign in" instead of JSON/,
      remedy: /check that connection.uri \(or polaris:uri\) is Polaris' base URL/,
    },
    {
      title: "200 JSON that is not a catalog",
      provoke: async () => {
        proxy.script(
          { method: "GET", path: `/api/management/v1/catalogs/${existing}` },
          { kind: "respond", status: 200, body: '{"status":"ok"}' },
        );
        return catalog.read!(existing, await catalogOf(existing));
      },
      type: PolarisResponseError,
      says: `get catalog ${existing}`,
      what: /unexpected response from Polaris: name: .*entityVersion: .*storageConfigInfo/,
      remedy: /is an Apache Polaris server of release 1\.4\.1 or later/,
    },

    // No answer at all.
    {
      title: "no server where the uri points",
      provoke: async () =>
        client({ ...asRoot(), uri: `http://127.0.0.1:${await closedPort()}` }, 2).listCatalogs(),
      type: PolarisTransportError,
      says: "request a token for client root",
      what: /could not connect to Polaris \(.*ECONNREFUSED.*\) \(after 2 attempts\)/,
      remedy: /Check that connection.uri \(or polaris:uri\) names a running Polaris/,
    },
    {
      title: "an answer slower than the connection's timeout",
      provoke: async () => {
        const polaris = client({ ...asRoot(), timeoutMs: 300 });
        await polaris.listCatalogs();
        proxy.script({ method: "GET", path: "/api/management/v1/catalogs" }, { kind: "delay", ms: 1_500 });
        return polaris.listCatalogs();
      },
      type: PolarisTransportError,
      says: "list catalogs",
      what: /Polaris did not answer in time/,
      remedy: /raise connection.timeoutMs/,
    },
  ];

  const roleInputs = (name: string) =>
    checked<RoleInputs>(principalRole, { connection: asRoot(), owner: `test/${name}`, name });
  const roleState = async (name: string) => ({ ...(await roleInputs(name)), entityVersion: 1 });

  async function editOutside(role: string) {
    const current = await call<{ entityVersion: number; properties: Record<string, string> }>(
      root,
      "GET",
      `/principal-roles/${role}`,
    );
    const edited = await call(root, "PUT", `/principal-roles/${role}`, {
      currentEntityVersion: current.body.entityVersion,
      properties: { ...current.body.properties, outside: String(current.body.entityVersion) },
    });
    expect(edited.status).toBe(200);
  }

  it("has a case for every status the issue names", () => {
    const statuses = new Set(cases.map((c) => c.status));
    for (const status of [400, 401, 403, 404, 409, 500, 502, 503]) expect(statuses).toContain(status);
    expect(cases.filter((c) => c.type === PolarisResponseError).length, "non-JSON and foreign 2xx").toBe(2);
  });

  it.each(cases)("$title", async (c) => {
    proxy.clear();
    const error = await c.provoke().then(
      (result) => {
        throw new Error(`expected an error, got ${JSON.stringify(result)}`);
      },
      (failure: unknown) => failure as Error,
    );
    const message = error.message;

    if (c.type === "entity") {
      // An entity module's own explanation: a plain Error whose cause, when Polaris answered, is typed.
      expect(error.constructor).toBe(Error);
      if (c.status !== undefined) {
        expect(error.cause).toBeInstanceOf(PolarisApiError);
        const cause = error.cause as PolarisApiError;
        expect(cause.status).toBe(c.status);
        expect(cause.operation).toBeTruthy();
        expect(cause.entity).toBeTruthy();
      }
    } else {
      expect(error).toBeInstanceOf(c.type);
      const typed = error as PolarisApiError;
      expect(typed.operation, "the operation").toBeTruthy();
      expect(subject({ operation: typed.operation, entity: typed.entity }), "operation and entity").toBe(
        message.slice(0, message.indexOf(": ")),
      );
      if (c.status !== undefined) expect(typed.status).toBe(c.status);
    }
    expect(message.startsWith(`${c.says}`), `${message}\nshould start with\n${c.says}`).toBe(true);
    expect(message).toMatch(c.what);
    expect(message).toMatch(c.remedy);
    // What a user reads: sentences, not a stack trace, and no credentials.
    expect(message).not.toMatch(/^\s*at |\n\s+at /);
    expect(message).not.toMatch(/<html|<body|<!DOCTYPE/i);
    expect(message).not.toContain(rootSecret);
    expect(message).not.toContain(powerless.clientSecret);
    expect(message).not.toMatch(/\beyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(String(error).startsWith(`${error.name}: ${c.says}`)).toBe(true);
    c.sent?.(proxy);
  });

  it("survives a token that expires mid-run: one new token, and the call goes through", async () => {
    proxy.clear();
    proxy.script(
      { method: "GET", path: `/api/management/v1/catalogs/${existing}` },
      { kind: "expire-token" },
    );
    const read = await catalog.read!(existing, await catalogOf(existing));
    expect(read.id).toBe(existing);
    expect(proxy.count({ outcome: "token-expired" })).toBe(1);
    expect(proxy.count({ path: "/api/catalog/v1/oauth/tokens", status: 200 })).toBe(1);
    expect(proxy.count({ method: "GET", path: `/api/management/v1/catalogs/${existing}`, status: 200 })).toBe(
      1,
    );

    // Every token at once, as when the server's token lifetime runs out: the next update still succeeds.
    proxy.expireTokens();
    const news = { ...(await roleInputs(contested)), properties: { team: "after" } };
    const updated = await principalRole.update!(contested, await roleState(contested), news);
    expect(updated.outs!.properties).toEqual({ team: "after" });
  });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
