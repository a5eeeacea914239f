/**
 * Infrastructure on Kubernetes: PolarisServer (Polaris itself) and LocalS3Storage (an S3 emulator for
 * local clusters). Import it from `polaris-pulumi/k8s`.
 *
 * @module k8s
 */
export * from "./local-s3-storage";
export * from "./polaris-server";
