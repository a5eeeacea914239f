/**
 * Infrastructure on AWS: the warehouse bucket, the IAM role Polaris assumes per catalog to vend credentials,
 * Polaris' own IRSA identity, and the IAM documents they are made of. Import it from `polaris-pulumi/aws`.
 *
 * @module aws
 */
export { ArgumentError } from "./argument-error";
export {
  type AwsCatalogStorage,
  CatalogStorageRole,
  type CatalogStorageRoleArgs,
} from "./catalog-storage-role";
export { PolarisServiceIdentity, type PolarisServiceIdentityArgs } from "./polaris-service-identity";
export * from "./policies";
export { checkAllowedLocations, checkBucketName, checkKeyPrefix, type S3Location } from "./s3-location";
export {
  WarehouseBucket,
  type WarehouseBucketArgs,
  type WarehouseBucketReference,
  type WarehouseLifecycleRule,
  type WarehouseStorageClass,
} from "./warehouse-bucket";
