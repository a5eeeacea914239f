import * as pulumi from "@pulumi/pulumi";
import { quietRpcDebug } from "./quiet-rpc-debug";

quietRpcDebug();

/** How the management resources reach Polaris; PolarisServer's `connection` output has this shape. */
export interface PolarisConnectionArgs {
  /** The server's base URL, without a path, e.g. `https://polaris.example.com`. */
  uri: string;
  /** Sent as the Polaris-Realm header. @default none: the server's default realm */
  realm?: string;
  /** The OAuth2 client id of a principal allowed to manage what the resource declares (often `root`). */
  clientId: string;
  /** That principal's client secret; kept as a Pulumi secret in state. */
  clientSecret: string;
  /** OAuth2 scope of the management token. @default "PRINCIPAL_ROLE:ALL" */
  scope?: string;
  /** PEM certificates to trust for an https `uri`, instead of the system's roots. @default the system's */
  caCertificate?: string;
  /** Per-request timeout in milliseconds. @default 30000 */
  timeoutMs?: number;
}

/** Arguments every management resource takes. */
export interface ManagementArgs {
  /**
   * How to reach Polaris. Leave it out to use stack config (`polaris:uri`, `polaris:clientId`, secret
   * `polaris:clientSecret`, optional `polaris:realm` and `polaris:scope`); stack config also wins for the
   * same server, so rotated credentials reach refresh and destroy. A connection never causes a diff.
   * @default stack config under `polaris:`
   */
  readonly connection?: pulumi.Input<PolarisConnectionArgs>;
  /**
   * Take over an entity that already exists (made by an init job or `polaris setup apply`) instead of
   * failing on 409. It must match the declaration; otherwise the error lists what differs.
   * @default false
   */
  readonly adopt?: boolean;
}

/** Identifies the declaring resource in the ownership marker that entities carry. */
export function ownerOf(name: string): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}/${name}`;
}

/** Resource options with the connection, and any other given outputs, kept secret in state. */
export function withSecretOutputs(
  opts: pulumi.CustomResourceOptions | undefined,
  secretOutputs: string[] = [],
): pulumi.CustomResourceOptions {
  return {
    ...opts,
    additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "connection", ...secretOutputs],
  };
}

/**
 * The connection as a secret input. `additionalSecretOutputs` only protects outputs; inputs are kept in state
 * as given, so a connection passed as plain values would otherwise sit there in plain text.
 */
export function secretConnection(
  connection: pulumi.Input<PolarisConnectionArgs> | undefined,
): pulumi.Output<PolarisConnectionArgs> | undefined {
  return connection === undefined
    ? undefined
    : (pulumi.secret(connection) as pulumi.Output<PolarisConnectionArgs>);
}

/**
 * Makes identity outputs (names, the catalog, namespace levels) the declared values: known at preview, yet
 * resolving in `up` only once this resource's step is done, so dependents still wait for it. A preview, a
 * pull-request comment or a policy pack then sees the names of new entities instead of unknowns. Safe
 * because a Polaris name is the entity's identity: the provider never answers with another one.
 */
export function declaredIdentity(
  resource: pulumi.Resource,
  declared: Record<string, pulumi.Input<unknown> | undefined>,
): void {
  for (const [key, value] of Object.entries(declared)) {
    if (value === undefined) continue;
    Object.defineProperty(resource, key, {
      value: pulumi.all([resource.urn, value]).apply(([, known]) => known),
      enumerable: true,
    });
  }
}
