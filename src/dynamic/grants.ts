import * as pulumi from "@pulumi/pulumi";
import { type GrantSpec, grantId } from "../entities/grant-spec";
import { lazyProvider } from "./lazy-provider";
import { type PolarisConnectionArgs, secretConnection, withSecretOutputs } from "./management-resource";

/** One grant: a privilege on the catalog, or on a namespace, table, view or policy of it. */
export interface GrantArgs {
  /** What the grant is on; it decides which of `namespace`, `table`, `view` and `policy` are needed. */
  type: "catalog" | "namespace" | "table" | "view" | "policy";
  /** A privilege of the grant's level, as the Polaris spec names it, e.g. TABLE_READ_DATA. */
  privilege: string;
  /** The namespace's levels, e.g. `gold.levels` or ["demo", "gold"]; every level but catalog. @default none */
  namespace?: string[];
  /** Table grants: the table's name. @default none */
  table?: string;
  /** View grants: the view's name. @default none */
  view?: string;
  /** Policy grants: the policy's name. @default none */
  policy?: string;
}

interface GrantTargetArgs {
  /** @default stack config under `polaris:` (see ManagementArgs.connection) */
  readonly connection?: pulumi.Input<PolarisConnectionArgs>;
  /** The catalog the grants are in, e.g. `catalog.name`; changing it replaces the resource. */
  readonly catalog: pulumi.Input<string>;
  /** The catalog role that holds the grant(s), e.g. `role.name`. */
  readonly catalogRole: pulumi.Input<string>;
}

/** Arguments of {@link CatalogGrant}. */
export interface CatalogGrantArgs extends GrantTargetArgs {
  /** The grant to add; changing it replaces the resource (the old grant is revoked). */
  readonly grant: pulumi.Input<GrantArgs>;
}

/** Arguments of {@link CatalogGrantSet}. */
export interface CatalogGrantSetArgs extends GrantTargetArgs {
  /** Every grant the role must hold; the role ends up with exactly these. At least one. */
  readonly grants: pulumi.Input<pulumi.Input<GrantArgs>[]>;
}

/**
 * One grant added to a catalog role. Several may target one role; each revokes only its own grant when
 * destroyed. Use it when other tools or stacks also grant on the role.
 */
export class CatalogGrant extends pulumi.dynamic.Resource {
  /** The grant's canonical id, such as `namespace:demo.gold:TABLE_READ_DATA`. */
  declare readonly grantId: pulumi.Output<string>;

  constructor(name: string, args: CatalogGrantArgs, opts?: pulumi.CustomResourceOptions) {
    claimRole(args, "additive", name);
    super(
      lazyProvider("polaris-pulumi/entities/grant"),
      name,
      { ...args, connection: secretConnection(args.connection), grantId: undefined },
      withSecretOutputs(opts),
      "polaris",
      "CatalogGrant",
    );
  }
}

/**
 * All grants of a catalog role, authoritatively: grants added outside the stack are revoked. The set is
 * kept as a map keyed by canonical grant id, so a preview lists exactly the grants added and removed.
 */
export class CatalogGrantSet extends pulumi.dynamic.Resource {
  /** The grants, keyed by canonical grant id such as `namespace:demo.gold:TABLE_READ_DATA`. */
  declare readonly grants: pulumi.Output<Record<string, GrantArgs>>;

  constructor(name: string, args: CatalogGrantSetArgs, opts?: pulumi.CustomResourceOptions) {
    claimRole(args, "authoritative", name);
    const grants = pulumi.output(args.grants).apply((list) => keyedByGrantId(list as GrantArgs[]));
    super(
      lazyProvider("polaris-pulumi/entities/grant-set"),
      name,
      { ...args, connection: secretConnection(args.connection), grants },
      withSecretOutputs(opts),
      "polaris",
      "CatalogGrantSet",
    );
  }
}

function keyedByGrantId(list: GrantArgs[]): Record<string, GrantArgs> {
  const keyed: Record<string, GrantArgs> = {};
  for (const grant of list) {
    const key = grantId(grant as GrantSpec);
    if (key in keyed)
      throw new pulumi.RunError(`the grant ${key} appears twice in one CatalogGrantSet; list it once`);
    keyed[key] = grant;
  }
  return keyed;
}

type Shape = "additive" | "authoritative";
const claims = new Map<string, { shape: Shape; resource: string }>();

/**
 * Refuses, while the program runs (so at preview), two authoritative sets on one role, or an additive
 * grant and a set on one role: they would undo each other on every `up`.
 */
export function claimGrantTarget(catalog: string, role: string, shape: Shape, resource: string): void {
  const key = `${catalog}\u0000${role}`;
  const earlier = claims.get(key);
  if (earlier && (shape === "authoritative" || earlier.shape === "authoritative")) {
    throw new pulumi.RunError(
      `catalog role ${role} in catalog ${catalog} has grants declared by both ${earlier.resource} (${earlier.shape}) ` +
        `and ${resource} (${shape}). An authoritative CatalogGrantSet must be the only place that grants on a role: ` +
        "move the grants into that set, or use only additive CatalogGrants.",
    );
  }
  if (!earlier || shape === "authoritative") claims.set(key, { shape, resource });
}

function claimRole(args: GrantTargetArgs, shape: Shape, resource: string): void {
  pulumi
    .all([args.catalog, args.catalogRole])
    .apply(([catalog, role]) => claimGrantTarget(catalog, role, shape, resource));
}
