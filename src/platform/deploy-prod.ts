/**
 * The prod half (`storage.mode: s3`): Polaris on EKS with its own IRSA identity, the warehouse bucket, and
 * the catalog's storage role that Polaris assumes to vend credentials. No static AWS credentials: Polaris
 * runs as its role, and clients get credentials vended for one table at a time.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CatalogStorageRole } from "../aws/catalog-storage-role";
import { PolarisServiceIdentity } from "../aws/polaris-service-identity";
import { WarehouseBucket } from "../aws/warehouse-bucket";
import type { S3StorageArgs } from "../dynamic/catalog";
import { PolarisServer } from "../k8s/polaris-server";
import {
  catalogLocation,
  type DeployedPolarisSpec,
  polarisServerArgs,
  type S3StorageSpec,
  SERVER_NAME,
  type ServerAndStorage,
} from "./deploy-server";

export function deployProd(polaris: DeployedPolarisSpec, storage: S3StorageSpec): ServerAndStorage {
  const bucket = new WarehouseBucket("warehouse", {
    bucketName: storage.bucketName,
    ...(storage.kmsKeyArn === undefined ? {} : { kmsKeyArn: storage.kmsKeyArn }),
  });
  // Trusts exactly the ServiceAccount PolarisServer creates: its name is the component's.
  const identity = new PolarisServiceIdentity("polaris-identity", {
    oidcProviderArn: storage.oidcProviderArn,
    namespace: polaris.namespace,
    serviceAccountName: SERVER_NAME,
  });
  const location = catalogLocation(bucket.bucketName);
  const storageRole = new CatalogStorageRole("demo-catalog", {
    bucket,
    allowedLocations: [location],
    polarisRoleArn: identity.roleArn,
  });
  const server = new PolarisServer(SERVER_NAME, {
    ...polarisServerArgs(polaris),
    // The namespace holds the JDBC, token-broker and TLS Secrets the server reads, so it exists already.
    namespace: polaris.namespace,
    supportedStorageTypes: ["S3"],
    roleArn: identity.roleArn,
    aws: { region: aws.getRegionOutput().region },
  });
  // The external id is a secret, so the catalog's storage is kept secret as a whole.
  const catalogStorage = pulumi
    .all([storageRole.catalogStorage, storageRole.externalId])
    .apply(([settings, externalId]): S3StorageArgs => ({ ...settings, externalId }));
  return {
    server,
    storage: catalogStorage,
    catalogLocation: location,
    credentialStore: { kind: "aws-secrets-manager" },
  };
}
