/**
 * The local half (`storage.mode: emulator`): Polaris and an S3 emulator on a local cluster, no credential
 * vending. Polaris reads and writes the emulator with the emulator's static keys, kept in a Secret.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { emulatorPodSecurityLevel, LocalS3Storage, type S3Emulator } from "../k8s/local-s3-storage";
import { PolarisServer } from "../k8s/polaris-server";
import {
  catalogLocation,
  type DeployedPolarisSpec,
  type EmulatorStorageSpec,
  polarisServerArgs,
  SERVER_NAME,
  type ServerAndStorage,
} from "./deploy-server";

/**
 * The namespaces a local platform runs in, created here (a local cluster starts empty). Each enforces and
 * warns on the "restricted" Pod Security Standard, except one holding LocalStack, whose image runs only as
 * root: that one enforces and warns on "baseline" and still audits against "restricted".
 */
function localNamespaces(polarisNamespace: string, emulatorNamespace: string, emulator: S3Emulator) {
  const created: Record<string, pulumi.Output<string>> = {};
  for (const name of new Set([polarisNamespace, emulatorNamespace])) {
    const level = name === emulatorNamespace ? emulatorPodSecurityLevel(emulator) : "restricted";
    const namespace = new k8s.core.v1.Namespace(`namespace-${name}`, {
      metadata: {
        name,
        labels: {
          "pod-security.kubernetes.io/enforce": level,
          "pod-security.kubernetes.io/enforce-version": "latest",
          "pod-security.kubernetes.io/warn": level,
          "pod-security.kubernetes.io/warn-version": "latest",
          "pod-security.kubernetes.io/audit": "restricted",
        },
      },
    });
    created[name] = namespace.metadata.name;
  }
  return created;
}

export function deployLocal(
  polaris: DeployedPolarisSpec,
  storage: EmulatorStorageSpec,
  localstackAuthToken: pulumi.Input<string> | undefined,
): ServerAndStorage {
  const namespaces = localNamespaces(polaris.namespace, storage.namespace, storage.emulator);
  const emulator = new LocalS3Storage("warehouse", {
    namespace: namespaces[storage.namespace]!,
    emulator: storage.emulator,
    bucketName: storage.bucketName,
    ...(localstackAuthToken === undefined ? {} : { localstackAuthToken }),
  });
  const server = new PolarisServer(SERVER_NAME, {
    ...polarisServerArgs(polaris),
    namespace: namespaces[polaris.namespace]!,
    supportedStorageTypes: ["S3"],
    aws: {
      region: emulator.region,
      accessKeyId: emulator.accessKeyId,
      secretAccessKey: emulator.secretAccessKey,
    },
  });
  const location = catalogLocation(storage.bucketName);
  return {
    server,
    // The catalog may use its own prefix only, not the whole bucket.
    storage: emulator.catalogStorage.apply((settings) => ({ ...settings, allowedLocations: [location] })),
    catalogLocation: location,
    credentialStore: { kind: "kubernetes", namespace: server.namespace },
  };
}
