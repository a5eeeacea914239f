/**
 * A platform whose Polaris this stack deploys (`polaris-platform:polaris` mode deploy): the server and
 * storage half of the environment (local: an S3 emulator on the cluster; prod: AWS S3, IAM and IRSA), the
 * logical platform on top, and the principals' credentials delivered under their secret_ref names.
 */
import type * as pulumi from "@pulumi/pulumi";
import { RunError } from "@pulumi/pulumi";
import type { PolarisServer } from "../k8s/polaris-server";
import { deployLocal } from "./deploy-local";
import { deployProd } from "./deploy-prod";
import type { ServerAndStorage } from "./deploy-server";
import { PolarisPlatform } from "./polaris-platform";
import { PrincipalCredentials } from "./principal-credentials";
import type { PlatformSpec } from "./spec";

/** Settings of {@link deployPlatform} that do not come from the spec. */
export interface DeployOptions {
  /** LocalStack's auth token, for `storage.emulator: localstack` (secret config `polaris-platform:localstackAuthToken`). */
  readonly localstackAuthToken?: pulumi.Input<string>;
  /** The config namespace that error messages name. @default "polaris-platform" */
  readonly project?: string;
}

/** What {@link deployPlatform} built. */
export interface DeployedPlatform {
  /** The Polaris deployment; its `connection` output is how the platform is managed. */
  readonly server: PolarisServer;
  /** The reference platform on that server, with the outputs engines consume. */
  readonly platform: PolarisPlatform;
  /**
   * The component that delivers each persona's credentials under its `secret_ref` name (a Kubernetes
   * Secret locally, AWS Secrets Manager in prod); its `locations` output says where each one is.
   */
  readonly credentials: PrincipalCredentials;
}

/** Problems of a deploy spec that the spec schema leaves to the deploy half, as `key: message`. */
export function deployProblems(spec: PlatformSpec, options: DeployOptions = {}): string[] {
  const problems: string[] = [];
  if (spec.polaris.mode !== "deploy") return ["polaris.mode: deployPlatform needs mode deploy"];
  const polaris = spec.polaris;
  if (spec.storage.mode === "existing") {
    problems.push(
      "storage.mode: a deployed Polaris gets its storage from the cluster (emulator) or from AWS (s3), not existing",
    );
  }
  if (polaris.ingressHost === undefined && polaris.externalUri === undefined) {
    problems.push(
      "polaris.ingressHost: pulumi up must reach the management API; give ingressHost (with tlsSecretName) " +
        "or externalUri (e.g. http://localhost:8181 through kubectl port-forward)",
    );
  }
  if (polaris.tlsSecretName !== undefined && polaris.ingressHost === undefined) {
    problems.push("polaris.tlsSecretName: a TLS certificate is for a host name; set ingressHost too");
  }
  if (
    spec.storage.mode === "emulator" &&
    spec.storage.emulator === "localstack" &&
    options.localstackAuthToken === undefined
  ) {
    problems.push(
      "localstackAuthToken: LocalStack needs an auth token; set it with " +
        "`pulumi config set --secret localstackAuthToken ...`, or use emulator: moto",
    );
  }
  return problems;
}

/**
 * Builds the environment's server and storage, the reference platform on that server (managed as its root
 * principal, once it answers), and the principals' credential secrets. Every problem of the spec is
 * reported, by config key, before any resource is registered.
 */
export function deployPlatform(spec: PlatformSpec, options: DeployOptions = {}): DeployedPlatform {
  const project = options.project ?? "polaris-platform";
  const problems = deployProblems(spec, options);
  if (problems.length > 0 || spec.polaris.mode !== "deploy" || spec.storage.mode === "existing") {
    throw new RunError(
      `the platform config in Pulumi.<stack>.yaml is not valid:\n  ${problems.map((p) => `${project}:${p}`).join("\n  ")}`,
    );
  }
  const half: ServerAndStorage =
    spec.storage.mode === "emulator"
      ? deployLocal(spec.polaris, spec.storage, options.localstackAuthToken)
      : deployProd(spec.polaris, spec.storage);

  const platform = new PolarisPlatform("platform", {
    spec,
    // Resolves once the server has rolled out and its Service and Ingress exist.
    connection: half.server.connection,
    polarisUri: half.server.readyToManage,
    storage: half.storage,
    catalogLocation: half.catalogLocation,
  });
  const credentials = new PrincipalCredentials("principal-credentials", {
    principals: platform.principals,
    store: half.credentialStore,
  });
  return { server: half.server, platform, credentials };
}
