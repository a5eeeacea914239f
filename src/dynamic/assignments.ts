import * as pulumi from "@pulumi/pulumi";
import { lazyProvider } from "./lazy-provider";
import { type PolarisConnectionArgs, secretConnection, withSecretOutputs } from "./management-resource";

/** Arguments of {@link PrincipalRoleAssignment}. Changing the principal or the role replaces the assignment. */
export interface PrincipalRoleAssignmentArgs {
  /** @default stack config under `polaris:` (see ManagementArgs.connection) */
  readonly connection?: pulumi.Input<PolarisConnectionArgs>;
  /** The principal, e.g. `principal.name`. */
  readonly principal: pulumi.Input<string>;
  /** The principal role granted to it, e.g. `role.name`. */
  readonly principalRole: pulumi.Input<string>;
}

/** Grants a principal role to a principal; destroying it revokes the role. */
export class PrincipalRoleAssignment extends pulumi.dynamic.Resource {
  /** The principal that holds the role. */
  declare readonly principal: pulumi.Output<string>;
  /** The principal role it holds. */
  declare readonly principalRole: pulumi.Output<string>;

  constructor(name: string, args: PrincipalRoleAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      lazyProvider("polaris-pulumi/entities/principal-role-assignment"),
      name,
      { ...args, connection: secretConnection(args.connection) },
      withSecretOutputs(opts),
      "polaris",
      "PrincipalRoleAssignment",
    );
  }
}

/** Arguments of {@link CatalogRoleAssignment}. Changing any of the names replaces the assignment. */
export interface CatalogRoleAssignmentArgs {
  /** @default stack config under `polaris:` (see ManagementArgs.connection) */
  readonly connection?: pulumi.Input<PolarisConnectionArgs>;
  /** The catalog the catalog role belongs to, e.g. `catalog.name`. */
  readonly catalog: pulumi.Input<string>;
  /** The catalog role, e.g. `catalogRole.name`. */
  readonly catalogRole: pulumi.Input<string>;
  /** The principal role it is assigned to; may be the built-in `service_admin`. */
  readonly principalRole: pulumi.Input<string>;
}

/** Assigns a catalog role to a principal role; destroying it revokes the assignment. */
export class CatalogRoleAssignment extends pulumi.dynamic.Resource {
  /** The catalog of the catalog role. */
  declare readonly catalog: pulumi.Output<string>;
  /** The catalog role that is assigned. */
  declare readonly catalogRole: pulumi.Output<string>;
  /** The principal role that receives the catalog role's privileges. */
  declare readonly principalRole: pulumi.Output<string>;

  constructor(name: string, args: CatalogRoleAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      lazyProvider("polaris-pulumi/entities/catalog-role-assignment"),
      name,
      { ...args, connection: secretConnection(args.connection) },
      withSecretOutputs(opts),
      "polaris",
      "CatalogRoleAssignment",
    );
  }
}
