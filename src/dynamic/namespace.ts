import * as pulumi from "@pulumi/pulumi";
import { lazyProvider } from "./lazy-provider";
import {
  declaredIdentity,
  type ManagementArgs,
  ownerOf,
  secretConnection,
  withSecretOutputs,
} from "./management-resource";

/** Arguments of {@link Namespace}. */
export interface NamespaceArgs extends ManagementArgs {
  /** The catalog, e.g. `catalog.name`; changing it replaces the namespace. */
  readonly catalog: pulumi.Input<string>;
  /** This level's name (`gold` for demo.gold). Changing it replaces the namespace. */
  readonly name: pulumi.Input<string>;
  /**
   * The parent: a Namespace of this stack (created first, destroyed last), or the levels of a namespace
   * made outside this stack, which then needs `parentExists: true`. @default none: a top-level namespace
   */
  readonly parent?: Namespace | pulumi.Input<string[]>;
  /** The `parent` levels name a namespace made outside this stack. @default false */
  readonly parentExists?: boolean;
  /** Properties this resource manages; keys it does not declare (like Polaris' `location`) are left alone. @default {} */
  readonly properties?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** An Iceberg namespace at any depth. Polaris refuses to drop one that still holds tables or namespaces. */
export class Namespace extends pulumi.dynamic.Resource {
  /** The catalog that holds the namespace; known at preview. */
  declare readonly catalog: pulumi.Output<string>;
  /** All levels, outermost first. */
  declare readonly levels: pulumi.Output<string[]>;
  /** The levels joined with dots, as engines write it: `demo.gold`. */
  declare readonly path: pulumi.Output<string>;
  /** The server's values of the declared property keys; keys that others added are not shown. */
  declare readonly properties: pulumi.Output<Record<string, string>>;
  /** Where Polaris places this namespace's tables. */
  declare readonly location: pulumi.Output<string | undefined>;

  constructor(name: string, args: NamespaceArgs, opts?: pulumi.CustomResourceOptions) {
    const { parent, name: level, parentExists, ...rest } = args;
    const parentDeclared = parent instanceof Namespace;
    // A declared parent's levels resolve only once it exists, so Pulumi creates it first and deletes it last.
    const parentLevels: pulumi.Input<string[]> = parent instanceof Namespace ? parent.levels : (parent ?? []);
    const levels = pulumi.all([parentLevels, level]).apply(([above, last]) => [...above, last]);
    super(
      lazyProvider("polaris-pulumi/entities/namespace"),
      name,
      {
        properties: undefined,
        ...rest,
        connection: secretConnection(rest.connection),
        levels,
        parentDeclared,
        parentExists: parentExists ?? false,
        owner: ownerOf(name),
        path: undefined,
        location: undefined,
      },
      withSecretOutputs(opts),
      "polaris",
      "Namespace",
    );
    declaredIdentity(this, {
      catalog: args.catalog,
      levels,
      path: levels.apply((all) => all.join(".")),
    });
  }
}
