import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { CatalogStorageArgs } from "../src/dynamic/catalog";
import { deployPlatform } from "../src/platform/deploy";
import { PolarisPlatform } from "../src/platform/polaris-platform";
import { REFERENCE_PLATFORM } from "../src/platform/reference";
import { type PlatformSpec, readPlatformSpec } from "../src/platform/spec";

// One program for every environment. The logical platform is declared once (src/platform/reference.ts);
// Pulumi.<stack>.yaml says how Polaris and its storage are provided here, and what a team adds.

const config = new pulumi.Config();
let spec: PlatformSpec;
try {
  spec = readPlatformSpec(config);
} catch (error) {
  throw new pulumi.RunError((error as Error).message);
}

/** KEY=VALUE lines of a sandbox run folder file, or a message saying how to get them. */
function sandboxFile(instance: string, file: string, fix: string): Record<string, string> {
  const path = join(__dirname, "..", ".sandbox", instance, file);
  if (!existsSync(path)) {
    throw new pulumi.RunError(
      `the sandbox instance "${instance}" is not running (${path} is missing). ${fix}`,
    );
  }
  const lines = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.includes("="));
  return Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

type SandboxSpec = PlatformSpec & {
  polaris: Extract<PlatformSpec["polaris"], { mode: "external" }>;
  storage: Extract<PlatformSpec["storage"], { mode: "existing" }>;
};

/** An external Polaris (the sandbox) and existing storage: only management resources are registered. */
function externalPlatform(spec: SandboxSpec): PolarisPlatform {
  // SANDBOX_INSTANCE (set by ./scripts/up and the tests) picks another sandbox instance than the config names.
  const instance = spec.polaris.sandboxInstance
    ? (process.env.SANDBOX_INSTANCE ?? spec.polaris.sandboxInstance)
    : undefined;
  const sandbox = instance
    ? sandboxFile(
        instance,
        "endpoints.env",
        `Start it with ./scripts/up (or ./scripts/sandbox start${instance === "default" ? "" : ` --instance ${instance}`}).`,
      )
    : undefined;
  const warehouse =
    instance && spec.storage.fromSandbox
      ? sandboxFile(
          instance,
          "warehouse.env",
          "./scripts/up prepares the warehouse bucket and role in the sandbox's moto.",
        )
      : undefined;

  const polarisUri = spec.polaris.uri ?? sandbox!.POLARIS_URI!;
  // The sandbox's root credentials change whenever it restarts: ./scripts/up also hands them to the providers
  // through POLARIS_* in the environment, which wins over what state holds.
  const connection = sandbox
    ? pulumi.secret({
        uri: polarisUri,
        realm: sandbox.POLARIS_REALM!,
        clientId: sandbox.POLARIS_CLIENT_ID!,
        clientSecret: sandbox.POLARIS_CLIENT_SECRET!,
      })
    : undefined;

  const bucket = spec.storage.bucket;
  const location = `s3://${bucket}/${REFERENCE_PLATFORM.catalog}/`;
  const roleArn = spec.storage.roleArn ?? warehouse?.WAREHOUSE_ROLE_ARN;
  const endpoint = spec.storage.endpoint ?? sandbox?.S3_ENDPOINT;
  const storage: CatalogStorageArgs = {
    storageType: "S3",
    allowedLocations: [location],
    region: spec.storage.region,
    pathStyleAccess: spec.storage.pathStyleAccess,
    ...(roleArn ? { roleArn } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...((spec.storage.stsEndpoint ?? sandbox?.MOTO_ENDPOINT)
      ? { stsEndpoint: spec.storage.stsEndpoint ?? sandbox!.MOTO_ENDPOINT! }
      : {}),
    ...(spec.accessDelegation === "none" ? { stsUnavailable: true } : {}),
  };

  return new PolarisPlatform("platform", {
    spec,
    connection,
    polarisUri,
    storage,
    catalogLocation: location,
  });
}

/**
 * local and prod: this stack deploys Polaris and its storage (src/platform/deploy.ts). Config problems the
 * schema leaves to the deploy half stop the program, by key, before any resource is registered.
 */
function deployedPlatform(spec: PlatformSpec): PolarisPlatform {
  const localstackAuthToken = config.getSecret("localstackAuthToken");
  return deployPlatform(spec, localstackAuthToken === undefined ? {} : { localstackAuthToken }).platform;
}

function refuseUnsupported(spec: PlatformSpec): never {
  throw new pulumi.RunError(
    `polaris-platform:storage.mode ${spec.storage.mode} with an external Polaris is not supported: use existing ` +
      "storage (the sandbox), or polaris.mode deploy with emulator or s3 storage",
  );
}

const platform =
  spec.polaris.mode === "deploy"
    ? deployedPlatform(spec)
    : spec.storage.mode === "existing"
      ? externalPlatform(spec as SandboxSpec)
      : refuseUnsupported(spec);

export const catalogUri = platform.catalogUri;
export const warehouseName = platform.warehouse;
export const namespaces = Object.values(platform.namespaces).map((namespace) => namespace.path);
export const credentials = platform.credentials;
export const engines = platform.engines;
export const floeCatalogs = platform.floeCatalogs;
