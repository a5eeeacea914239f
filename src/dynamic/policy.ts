import * as pulumi from "@pulumi/pulumi";
import { lazyProvider } from "./lazy-provider";
import {
  type ManagementArgs,
  type PolarisConnectionArgs,
  secretConnection,
  withSecretOutputs,
} from "./management-resource";
import { Namespace } from "./namespace";

/** The policy types of Polaris 1.4.1; it has no custom types (any other type is refused with 400). */
export type PolicyTypeName =
  | "system.data-compaction"
  | "system.metadata-compaction"
  | "system.orphan-file-removal"
  | "system.snapshot-expiry";

/** Arguments of {@link Policy}. */
export interface PolicyArgs extends ManagementArgs {
  /** The catalog, e.g. `catalog.name`; changing it replaces the policy. */
  readonly catalog: pulumi.Input<string>;
  /**
   * The namespace the policy lives in: a Namespace of this stack (created first, destroyed last), or the
   * levels of one, outermost first. Changing it replaces the policy.
   */
  readonly namespace: Namespace | pulumi.Input<string[]>;
  /** Letters, digits, `-` and `_`; changing it replaces the policy. */
  readonly name: pulumi.Input<string>;
  /** The policy type; changing it replaces the policy. */
  readonly type: pulumi.Input<PolicyTypeName>;
  /** Free text shown with the policy; changes in place. @default none */
  readonly description?: pulumi.Input<string>;
  /**
   * The policy's JSON content, as an object or a JSON string; key order and formatting never count as a
   * change. Every 1.4.1 type needs `enable` (boolean) and takes `version` ("2025-02-03", the default) and
   * `config` (a map of scalars); `system.orphan-file-removal` also takes `max_orphan_file_age_in_days` and
   * `locations`. Checked at preview.
   */
  readonly content: pulumi.Input<string | Record<string, unknown>>;
}

/**
 * A table-maintenance policy of a catalog (compaction, snapshot expiry, orphan file removal), living in a
 * namespace; attach it with PolicyAttachment. Destroying it also detaches it from everything.
 */
export class Policy extends pulumi.dynamic.Resource {
  /** The catalog the policy belongs to. */
  declare readonly catalog: pulumi.Output<string>;
  /** The levels of the namespace the policy lives in. */
  declare readonly namespace: pulumi.Output<string[]>;
  /** The policy's name. */
  declare readonly name: pulumi.Output<string>;
  /** The policy type. */
  declare readonly type: pulumi.Output<PolicyTypeName>;
  /** The description, if one is declared. */
  declare readonly description: pulumi.Output<string | undefined>;
  /** The content as canonical JSON (keys sorted, no whitespace). */
  declare readonly content: pulumi.Output<string>;
  /** Polaris' version of the policy: 0 when created, one more at each update. */
  declare readonly policyVersion: pulumi.Output<number>;
  /** Whether the policy, once attached, also applies to everything below the target (Polaris decides by type). */
  declare readonly inheritable: pulumi.Output<boolean>;

  constructor(name: string, args: PolicyArgs, opts?: pulumi.CustomResourceOptions) {
    const { namespace, ...rest } = args;
    super(
      lazyProvider("polaris-pulumi/entities/policy"),
      name,
      {
        description: undefined,
        ...rest,
        connection: secretConnection(rest.connection),
        namespace: namespace instanceof Namespace ? namespace.levels : namespace,
        policyVersion: undefined,
        inheritable: undefined,
      },
      withSecretOutputs(opts),
      "polaris",
      "Policy",
    );
  }
}

/** What a policy is attached to. */
export type PolicyTargetArgs =
  /** The whole catalog. */
  | {
      /** Attach to the catalog. */
      type: "catalog";
    }
  /** A namespace: its levels, outermost first. */
  | {
      /** Attach to a namespace. */
      type: "namespace";
      /** The namespace's levels, outermost first, e.g. ["demo", "gold"]. */
      path: pulumi.Input<string[]>;
    }
  /** A table or view: its namespace levels, then its name, e.g. ["sales", "orders"]. */
  | {
      /** Attach to a table or a view. */
      type: "table-like";
      /** The namespace levels, then the table's or view's name. */
      path: pulumi.Input<string[]>;
    };

/** A policy named by where it lives, for a policy made outside this stack. */
export interface PolicyRefArgs {
  /** The catalog the policy belongs to; the attachment's target is in this catalog too. */
  catalog: string;
  /** The levels of the namespace the policy lives in. */
  namespace: string[];
  /** The policy's name. */
  name: string;
}

/** Arguments of {@link PolicyAttachment}. */
export interface PolicyAttachmentArgs {
  /** @default stack config under `polaris:` (see ManagementArgs.connection) */
  readonly connection?: pulumi.Input<PolarisConnectionArgs>;
  /** The policy: a Policy of this stack (attached after it is created), or where one lives. */
  readonly policy: Policy | pulumi.Input<PolicyRefArgs>;
  /**
   * What to attach it to, in the policy's catalog: the catalog, a namespace (or a Namespace resource),
   * or a table or view. Polaris allows one policy of each type per target. Changing it replaces the
   * attachment.
   */
  readonly target: Namespace | pulumi.Input<PolicyTargetArgs>;
}

/**
 * Attaches a policy to the catalog, a namespace, or a table or view; it then applies there and to
 * everything below. Destroying it detaches the policy; any change replaces it.
 */
export class PolicyAttachment extends pulumi.dynamic.Resource {
  /** The catalog of the policy and of its target. */
  declare readonly catalog: pulumi.Output<string>;
  /** The levels of the namespace the policy lives in. */
  declare readonly policyNamespace: pulumi.Output<string[]>;
  /** The attached policy's name. */
  declare readonly policyName: pulumi.Output<string>;
  /** What the policy is attached to. */
  declare readonly target: pulumi.Output<{
    /** The kind of target. */
    type: PolicyTargetArgs["type"];
    /** The target's levels (and, for a table or view, its name); none for the catalog. */
    path?: string[];
  }>;

  constructor(name: string, args: PolicyAttachmentArgs, opts?: pulumi.CustomResourceOptions) {
    const { policy, target, connection } = args;
    const ref: pulumi.Input<PolicyRefArgs> =
      policy instanceof Policy
        ? pulumi
            .all([policy.catalog, policy.namespace, policy.name])
            .apply(([catalog, levels, policyName]) => ({
              catalog,
              namespace: levels,
              name: policyName,
            }))
        : policy;
    const resolved = pulumi.output(ref);
    super(
      lazyProvider("polaris-pulumi/entities/policy-attachment"),
      name,
      {
        connection: secretConnection(connection),
        catalog: resolved.catalog,
        policyNamespace: resolved.namespace,
        policyName: resolved.name,
        target:
          target instanceof Namespace
            ? target.levels.apply((path) => ({ type: "namespace" as const, path }))
            : target,
      },
      withSecretOutputs(opts),
      "polaris",
      "PolicyAttachment",
    );
  }
}
