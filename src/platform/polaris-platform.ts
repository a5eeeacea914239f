import * as pulumi from "@pulumi/pulumi";
import { CatalogRoleAssignment, PrincipalRoleAssignment } from "../dynamic/assignments";
import { Catalog, type CatalogStorageArgs } from "../dynamic/catalog";
import { CatalogGrantSet, type GrantArgs } from "../dynamic/grants";
import type { PolarisConnectionArgs } from "../dynamic/management-resource";
import { Namespace } from "../dynamic/namespace";
import { Principal } from "../dynamic/principal";
import { CatalogRole, PrincipalRole } from "../dynamic/roles";
import {
  type CatalogEndpoint,
  duckdbAttach,
  floeCatalogsYaml,
  pyicebergProperties,
  sparkConf,
} from "./engines";
import { type PersonaName, REFERENCE_PLATFORM } from "./reference";
import type { PlatformSpec } from "./spec";

/** Arguments of {@link PolarisPlatform}. */
export interface PolarisPlatformArgs {
  /** The validated per-environment spec (see readPlatformSpec). */
  readonly spec: PlatformSpec;
  /** How management resources reach Polaris. @default stack config polaris:* or POLARIS_* in the environment */
  readonly connection?: pulumi.Input<PolarisConnectionArgs>;
  /** The base URL engines use, e.g. `http://127.0.0.1:8181`; the catalog URI is `${polarisUri}/api/catalog`. */
  readonly polarisUri: pulumi.Input<string>;
  /** The catalog's storage, made by the storage half of the platform (or existing). */
  readonly storage: pulumi.Input<CatalogStorageArgs>;
  /** Where the warehouse bucket keeps this catalog: `s3://<bucket>/<catalog>/`. */
  readonly catalogLocation: pulumi.Input<string>;
}

/**
 * The reference platform's logical half on one Polaris: the catalog, its namespaces (the reference ones and
 * those a team adds in config), one catalog role per persona with an authoritative grant set, the admin
 * role assigned to service_admin, the principal roles and principals, and the connection outputs engines
 * consume. The server and storage halves are built by the program per environment and passed in.
 */
export class PolarisPlatform extends pulumi.ComponentResource {
  /** The catalog (`demo_catalog`); protected when the spec says `protect`. */
  readonly catalog: Catalog;
  /** Every namespace, keyed by dotted path (`demo.gold`): the reference ones and those the spec adds. */
  readonly namespaces: Record<string, Namespace>;
  /** The principal of each persona. */
  readonly principals: Record<PersonaName, Principal>;
  /** The Iceberg REST URI engines use: `<polarisUri>/api/catalog`. */
  readonly catalogUri: pulumi.Output<string>;
  /** The catalog's name, which engines call the warehouse. */
  readonly warehouse: pulumi.Output<string>;
  /** Client id and secret per principal; a Pulumi secret. */
  readonly credentials: pulumi.Output<
    Record<
      PersonaName,
      {
        /** The principal's client id. */
        clientId: string;
        /** The principal's client secret. */
        clientSecret: string;
      }
    >
  >;
  /** Engine snippets per principal; secret, because they carry the client secret. */
  readonly engines: pulumi.Output<Record<string, unknown>>;
  /** The `catalogs:` section of floe's platform.yaml, with secret_ref names and no secret values. */
  readonly floeCatalogs: pulumi.Output<string>;

  constructor(name: string, args: PolarisPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("polaris-pulumi:platform:PolarisPlatform", name, {}, opts);
    const { spec, connection } = args;
    const reference = REFERENCE_PLATFORM;
    const child = { parent: this };
    const kept = { parent: this, protect: spec.protect };

    this.catalog = new Catalog(
      reference.catalog,
      {
        connection,
        name: reference.catalog,
        defaultBaseLocation: args.catalogLocation,
        storage: args.storage,
      },
      kept,
    );
    const catalogName = this.catalog.name;

    this.namespaces = {};
    const paths = [...reference.namespaces, ...spec.namespaces].sort(
      (a, b) => a.split(".").length - b.split(".").length,
    );
    for (const path of paths) {
      const levels = path.split(".");
      const parent = this.namespaces[levels.slice(0, -1).join(".")];
      const properties = reference.namespaceProperties[path];
      this.namespaces[path] = new Namespace(
        path,
        {
          connection,
          catalog: catalogName,
          name: levels[levels.length - 1]!,
          ...(parent ? { parent } : {}),
          ...(properties ? { properties: { ...properties } } : {}),
        },
        kept,
      );
    }

    // demo_data_admin: the catalog's content administrators, through service_admin.
    const admin = new CatalogRole(
      reference.adminRole.name,
      { connection, catalog: catalogName, name: reference.adminRole.name },
      child,
    );
    new CatalogGrantSet(
      `${reference.adminRole.name}-grants`,
      {
        connection,
        catalog: catalogName,
        catalogRole: admin.name,
        grants: reference.adminRole.privileges.map((privilege) => ({ type: "catalog" as const, privilege })),
      },
      child,
    );
    new CatalogRoleAssignment(
      `${reference.adminRole.name}-service_admin`,
      { connection, catalog: catalogName, catalogRole: admin.name, principalRole: "service_admin" },
      child,
    );

    // One principal role, catalog role (with an authoritative grant set) and principal per persona.
    const principals: Partial<Record<PersonaName, Principal>> = {};
    for (const persona of reference.personas) {
      const extra = spec.grants
        .filter((grant) => grant.principalRole === persona.principalRole)
        .map((g) => g.grant);
      const grants: GrantArgs[] = [...persona.grants, ...(extra as GrantArgs[])];
      const namespaceOutputs = grants
        .filter((grant) => grant.namespace)
        .map((grant) => this.namespaces[grant.namespace!.join(".")]?.path)
        .filter((path): path is pulumi.Output<string> => path !== undefined);
      const principalRole = new PrincipalRole(
        persona.principalRole,
        { connection, name: persona.principalRole },
        child,
      );
      const catalogRole = new CatalogRole(
        persona.catalogRole,
        { connection, catalog: catalogName, name: persona.catalogRole },
        child,
      );
      new CatalogGrantSet(
        `${persona.catalogRole}-grants`,
        // Waiting on the namespaces' paths makes the grants follow the namespaces they name.
        {
          connection,
          catalog: catalogName,
          catalogRole: catalogRole.name,
          grants: pulumi.all(namespaceOutputs).apply(() => grants),
        },
        child,
      );
      new CatalogRoleAssignment(
        `${persona.catalogRole}-${persona.principalRole}`,
        {
          connection,
          catalog: catalogName,
          catalogRole: catalogRole.name,
          principalRole: principalRole.name,
        },
        child,
      );
      const principal = new Principal(persona.principal, { connection, name: persona.principal }, child);
      new PrincipalRoleAssignment(
        `${persona.principal}-${persona.principalRole}`,
        { connection, principal: principal.name, principalRole: principalRole.name },
        child,
      );
      principals[persona.principal] = principal;
    }
    this.principals = principals as Record<PersonaName, Principal>;

    this.catalogUri = pulumi.output(args.polarisUri).apply((uri) => `${uri.replace(/\/+$/, "")}/api/catalog`);
    this.warehouse = catalogName;
    const endpoint = pulumi.all([this.catalogUri, catalogName]).apply(
      ([catalogUri, warehouse]): CatalogEndpoint => ({
        catalogUri,
        warehouse,
        accessDelegation: spec.accessDelegation,
      }),
    );
    const people = Object.entries(this.principals) as [PersonaName, Principal][];
    this.credentials = pulumi.secret(
      pulumi
        .all(people.map(([, principal]) => pulumi.all([principal.clientId, principal.clientSecret])))
        .apply(
          (pairs) =>
            Object.fromEntries(
              pairs.map(([clientId, clientSecret], index) => [people[index]![0], { clientId, clientSecret }]),
            ) as Record<PersonaName, { clientId: string; clientSecret: string }>,
        ),
    );
    this.engines = pulumi.secret(
      pulumi.all([endpoint, this.credentials]).apply(([where, credentials]) =>
        Object.fromEntries(
          Object.entries(credentials).map(([persona, pair]) => [
            persona,
            {
              duckdbAttach: duckdbAttach(where, pair),
              pyiceberg: pyicebergProperties(where, pair),
              spark: sparkConf(where, pair),
            },
          ]),
        ),
      ),
    );
    this.floeCatalogs = endpoint.apply((where) =>
      floeCatalogsYaml(where, Object.fromEntries(reference.personas.map((p) => [p.principal, p.secretRef]))),
    );
    this.registerOutputs({
      catalogUri: this.catalogUri,
      warehouse: this.warehouse,
      credentials: this.credentials,
      engines: this.engines,
      floeCatalogs: this.floeCatalogs,
    });
  }
}
