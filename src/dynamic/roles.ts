import * as pulumi from "@pulumi/pulumi";
import { lazyProvider } from "./lazy-provider";
import {
  declaredIdentity,
  type ManagementArgs,
  ownerOf,
  secretConnection,
  withSecretOutputs,
} from "./management-resource";

/** Arguments of {@link PrincipalRole}. */
export interface PrincipalRoleArgs extends ManagementArgs {
  /** The role's name; changing it replaces the role. `service_admin` is built in and cannot be declared. */
  readonly name: pulumi.Input<string>;
  /** Properties this resource manages; keys it does not declare are left alone. @default {} */
  readonly properties?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A principal role: what principals are granted, and what catalog roles are assigned to. */
export class PrincipalRole extends pulumi.dynamic.Resource {
  /** The role's name; known at preview. */
  declare readonly name: pulumi.Output<string>;
  /** The server's values of the declared property keys; keys that others added are not shown. */
  declare readonly properties: pulumi.Output<Record<string, string>>;
  /** Polaris' version counter of the entity, which each update increments. */
  declare readonly entityVersion: pulumi.Output<number>;

  constructor(name: string, args: PrincipalRoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      lazyProvider("polaris-pulumi/entities/principal-role"),
      name,
      {
        properties: undefined,
        ...args,
        connection: secretConnection(args.connection),
        owner: ownerOf(name),
        entityVersion: undefined,
      },
      withSecretOutputs(opts),
      "polaris",
      "PrincipalRole",
    );
    declaredIdentity(this, { name: args.name });
  }
}

/** Arguments of {@link CatalogRole}. */
export interface CatalogRoleArgs extends ManagementArgs {
  /** The catalog the role belongs to, e.g. `catalog.name`. */
  readonly catalog: pulumi.Input<string>;
  /** The role's name; changing it replaces the role. `catalog_admin` is built in and cannot be declared. */
  readonly name: pulumi.Input<string>;
  /** Properties this resource manages; keys it does not declare are left alone. @default {} */
  readonly properties?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A catalog role: it holds grants inside one catalog and is assigned to principal roles. */
export class CatalogRole extends pulumi.dynamic.Resource {
  /** The catalog the role belongs to; known at preview. */
  declare readonly catalog: pulumi.Output<string>;
  /** The role's name; known at preview. */
  declare readonly name: pulumi.Output<string>;
  /** The server's values of the declared property keys; keys that others added are not shown. */
  declare readonly properties: pulumi.Output<Record<string, string>>;
  /** Polaris' version counter of the entity, which each update increments. */
  declare readonly entityVersion: pulumi.Output<number>;

  constructor(name: string, args: CatalogRoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      lazyProvider("polaris-pulumi/entities/catalog-role"),
      name,
      {
        properties: undefined,
        ...args,
        connection: secretConnection(args.connection),
        owner: ownerOf(name),
        entityVersion: undefined,
      },
      withSecretOutputs(opts),
      "polaris",
      "CatalogRole",
    );
    declaredIdentity(this, { catalog: args.catalog, name: args.name });
  }
}
