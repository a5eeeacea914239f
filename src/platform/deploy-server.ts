/**
 * What the local and prod halves share: the spec parts a deployed platform reads, the PolarisServer
 * arguments taken from `polaris-platform:polaris`, and what each half hands to the logical platform.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { CatalogStorageArgs } from "../dynamic/catalog";
import type { PolarisServer, PolarisServerArgs } from "../k8s/polaris-server";
import type { CredentialStore } from "./principal-credentials";
import { REFERENCE_PLATFORM } from "./reference";
import type { PlatformSpec } from "./spec";

export type DeployedPolarisSpec = Extract<PlatformSpec["polaris"], { mode: "deploy" }>;
export type EmulatorStorageSpec = Extract<PlatformSpec["storage"], { mode: "emulator" }>;
export type S3StorageSpec = Extract<PlatformSpec["storage"], { mode: "s3" }>;

/**
 * The PolarisServer component's name. Its ServiceAccount, Deployment and Service carry it too, so the
 * IRSA trust policy names `system:serviceaccount:<namespace>:polaris`. Never renamed once released.
 */
export const SERVER_NAME = "polaris";

/** Where the warehouse bucket keeps the reference catalog: `s3://<bucket>/demo_catalog/`. */
export function catalogLocation(bucket: string): string {
  return `s3://${bucket}/${REFERENCE_PLATFORM.catalog}/`;
}

/** The server and storage half of one environment, as the logical platform consumes it. */
export interface ServerAndStorage {
  readonly server: PolarisServer;
  readonly storage: pulumi.Input<CatalogStorageArgs>;
  readonly catalogLocation: string;
  /** Where principals' credentials are delivered. */
  readonly credentialStore: CredentialStore;
}

/** Persistence, replicas and external access of the server, from `polaris-platform:polaris`. */
export function polarisServerArgs(polaris: DeployedPolarisSpec): PolarisServerArgs {
  return {
    persistence: polaris.persistence,
    replicas: polaris.replicas,
    ...(polaris.jdbcSecretName === undefined ? {} : { jdbc: { existingSecretName: polaris.jdbcSecretName } }),
    ...(polaris.tokenBrokerSecretName === undefined
      ? {}
      : { tokenBroker: { secretName: polaris.tokenBrokerSecretName } }),
    ...(polaris.ingressHost === undefined
      ? {}
      : {
          ingress: {
            host: polaris.ingressHost,
            ...(polaris.tlsSecretName === undefined ? {} : { tlsSecretName: polaris.tlsSecretName }),
          },
        }),
    ...(polaris.externalUri === undefined ? {} : { externalUri: polaris.externalUri }),
  };
}
