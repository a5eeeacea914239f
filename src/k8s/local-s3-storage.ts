import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** The S3 emulators this component can run. Both serve S3, IAM and STS on one port. */
export type S3Emulator = "moto" | "localstack";

interface EmulatorProfile {
  image: string;
  port: number;
  healthPath: string;
  /**
   * A non-root uid the emulator runs under, so its pod meets the "restricted" Pod Security Standard; none
   * for an image that works only as root.
   */
  runAsUser?: number;
}

// Pinned tags; override with `image`. moto needs no token. LocalStack has required an auth token since
// March 2026, which is passed from a Secret. moto's server only reads its installed package and listens on
// an unprivileged port, so any uid runs it; LocalStack's image writes under /var/lib/localstack and /root
// and does not start as another user.
const EMULATORS: Record<S3Emulator, EmulatorProfile> = {
  moto: { image: "motoserver/moto:5.2.3", port: 5000, healthPath: "/moto-api/", runAsUser: 1000 },
  localstack: { image: "localstack/localstack:4.9.2", port: 4566, healthPath: "/_localstack/health" },
};

/**
 * The strictest Pod Security Standard the emulator's pod meets, for the label of the namespace it runs in:
 * "restricted" for moto, "baseline" for LocalStack (which runs as root).
 */
export function emulatorPodSecurityLevel(emulator: S3Emulator = "moto"): "restricted" | "baseline" {
  return EMULATORS[emulator]?.runAsUser === undefined ? "baseline" : "restricted";
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Arguments of {@link LocalS3Storage}; every one is optional. */
export interface LocalS3StorageArgs {
  /** Kubernetes namespace to run the emulator in. It must exist. @default "default" */
  readonly namespace?: pulumi.Input<string>;
  /** Which emulator to run. @default "moto" */
  readonly emulator?: S3Emulator;
  /** Container image. @default "motoserver/moto:5.2.3" for moto, "localstack/localstack:4.9.2" for LocalStack */
  readonly image?: string;
  /** LocalStack auth token. Required when `emulator` is "localstack"; stored in a Secret. */
  readonly localstackAuthToken?: pulumi.Input<string>;
  /** Name of the warehouse bucket, created in the emulator. @default "warehouse" */
  readonly bucketName?: string;
  /** Region the emulator reports and clients use. @default "us-east-1" */
  readonly region?: string;
  /**
   * How `pulumi up` (outside the cluster) reaches the emulator, e.g. through `kubectl port-forward` or a
   * kind/k3d port mapping. @default "http://localhost:<emulator port>"
   */
  readonly externalEndpoint?: pulumi.Input<string>;
  /** Service type of the emulator. @default "ClusterIP" */
  readonly serviceType?: "ClusterIP" | "NodePort";
  /** Static access key id the emulator accepts. Emulators accept any value. @default "test" */
  readonly accessKeyId?: pulumi.Input<string>;
  /** Static secret access key the emulator accepts. @default "test" */
  readonly secretAccessKey?: pulumi.Input<string>;
}

/** S3 settings for a Polaris catalog whose storage is this emulator. */
export interface EmulatorCatalogStorage {
  /** The emulator speaks S3. */
  storageType: "S3";
  /** The region the emulator reports. */
  region: string;
  /** How clients outside the cluster reach S3. */
  endpoint: string;
  /** How Polaris, inside the cluster, reaches S3. */
  endpointInternal: string;
  /** Emulators serve buckets by path, not by host name. */
  pathStyleAccess: true;
  /** Emulated STS is not used for credential vending locally. */
  stsUnavailable: true;
  /** The whole bucket, `s3://<bucket>/`; narrow it to the catalog's location. */
  allowedLocations: string[];
}

/**
 * An S3 emulator on Kubernetes (moto or LocalStack), an `aws.Provider` pointed at it, and the warehouse
 * bucket created through that provider.
 */
export class LocalS3Storage extends pulumi.ComponentResource {
  /** Endpoint reachable from where `pulumi up` runs. */
  readonly endpoint: pulumi.Output<string>;
  /** In-cluster endpoint, for Polaris' `endpointInternal`. */
  readonly endpointInternal: pulumi.Output<string>;
  /** The warehouse bucket's name, once the bucket exists. */
  readonly bucket: pulumi.Output<string>;
  /** The region the emulator reports. */
  readonly region: pulumi.Output<string>;
  /** Static credentials the emulator accepts, as secrets. */
  readonly accessKeyId: pulumi.Output<string>;
  /** The static secret access key the emulator accepts; a Pulumi secret. */
  readonly secretAccessKey: pulumi.Output<string>;
  /** The AWS provider pointed at the emulator, for other resources in the emulator. */
  readonly provider: aws.Provider;
  /** Storage settings for a Polaris catalog on this bucket. */
  readonly catalogStorage: pulumi.Output<EmulatorCatalogStorage>;

  constructor(name: string, args: LocalS3StorageArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("polaris:k8s:LocalS3Storage", name, {}, opts);

    const emulator = args.emulator ?? "moto";
    const profile = EMULATORS[emulator];
    if (!profile) {
      throw new pulumi.ResourceError(`emulator must be "moto" or "localstack", got "${emulator}"`, this);
    }
    if (emulator === "localstack" && args.localstackAuthToken === undefined) {
      throw new pulumi.ResourceError(
        'localstackAuthToken is required when emulator is "localstack" (LocalStack needs an auth token since ' +
          'March 2026). Pass it as a secret, or use emulator "moto", which needs none.',
        this,
      );
    }
    const bucketName = args.bucketName ?? "warehouse";
    if (!BUCKET_NAME.test(bucketName) || bucketName.includes("..")) {
      throw new pulumi.ResourceError(
        `bucketName "${bucketName}" is not a valid S3 bucket name: use 3-63 lower-case letters, digits, dots and dashes`,
        this,
      );
    }
    const region = args.region ?? "us-east-1";
    const namespace = pulumi.output(args.namespace ?? "default");
    const accessKeyId = pulumi.secret(args.accessKeyId ?? "test");
    const secretAccessKey = pulumi.secret(args.secretAccessKey ?? "test");
    const labels = { "app.kubernetes.io/name": `${name}-s3`, "app.kubernetes.io/component": "s3-emulator" };

    const secret = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: { namespace, labels },
        type: "Opaque",
        stringData: {
          AWS_ACCESS_KEY_ID: accessKeyId,
          AWS_SECRET_ACCESS_KEY: secretAccessKey,
          ...(args.localstackAuthToken === undefined
            ? {}
            : { LOCALSTACK_AUTH_TOKEN: pulumi.secret(args.localstackAuthToken) }),
        },
      },
      { parent: this },
    );

    const fromSecret = (key: string) => ({
      name: key,
      valueFrom: { secretKeyRef: { name: secret.metadata.name, key } },
    });
    const env = [
      fromSecret("AWS_ACCESS_KEY_ID"),
      fromSecret("AWS_SECRET_ACCESS_KEY"),
      { name: "AWS_DEFAULT_REGION", value: region },
      ...(emulator === "localstack"
        ? [fromSecret("LOCALSTACK_AUTH_TOKEN"), { name: "SERVICES", value: "s3,iam,sts" }]
        : []),
    ];
    const probe = { httpGet: { path: profile.healthPath, port: "s3" }, periodSeconds: 10 };

    const deployment = new k8s.apps.v1.Deployment(
      `${name}-s3`,
      {
        metadata: { namespace, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              automountServiceAccountToken: false,
              // An emulator is a dev tool; it still runs without privilege escalation or capabilities, and
              // as a non-root user where its image allows.
              securityContext: {
                seccompProfile: { type: "RuntimeDefault" },
                ...(profile.runAsUser === undefined
                  ? {}
                  : { runAsNonRoot: true, runAsUser: profile.runAsUser, runAsGroup: profile.runAsUser }),
              },
              containers: [
                {
                  name: emulator,
                  image: args.image ?? profile.image,
                  ...(emulator === "moto" ? { args: ["-H", "0.0.0.0", "-p", String(profile.port)] } : {}),
                  ports: [{ name: "s3", containerPort: profile.port }],
                  env,
                  readinessProbe: { ...probe, initialDelaySeconds: 2 },
                  livenessProbe: { ...probe, initialDelaySeconds: 20 },
                  resources: {
                    requests: { cpu: "100m", memory: "256Mi" },
                    limits: { memory: emulator === "localstack" ? "2Gi" : "512Mi" },
                  },
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                },
              ],
            },
          },
        },
      },
      { parent: this },
    );

    // A fixed Service name keeps the in-cluster endpoint that Polaris stores in its catalogs stable.
    const service = new k8s.core.v1.Service(
      `${name}-s3`,
      {
        metadata: { name: `${name}-s3`, namespace, labels },
        spec: {
          type: args.serviceType ?? "ClusterIP",
          selector: labels,
          ports: [{ name: "s3", port: profile.port, targetPort: "s3" }],
        },
      },
      { parent: this, dependsOn: [deployment] },
    );

    const endpoint = pulumi.output(args.externalEndpoint ?? `http://localhost:${profile.port}`);
    const endpointInternal = pulumi.interpolate`http://${service.metadata.name}.${namespace}.svc.cluster.local:${profile.port}`;

    this.provider = new aws.Provider(
      `${name}-aws`,
      {
        region,
        accessKey: accessKeyId,
        secretKey: secretAccessKey,
        s3UsePathStyle: true,
        skipCredentialsValidation: true,
        skipMetadataApiCheck: true,
        skipRegionValidation: true,
        skipRequestingAccountId: true,
        endpoints: [{ s3: endpoint, iam: endpoint, sts: endpoint }],
      },
      { parent: this },
    );

    const bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      { bucket: bucketName, forceDestroy: true },
      { parent: this, provider: this.provider, dependsOn: [service] },
    );

    this.endpoint = endpoint;
    this.endpointInternal = endpointInternal;
    this.bucket = bucket.bucket;
    this.region = pulumi.output(region);
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.catalogStorage = pulumi
      .all([endpoint, endpointInternal, bucket.bucket])
      .apply(([external, internal, bucketId]) => ({
        storageType: "S3" as const,
        region,
        endpoint: external,
        endpointInternal: internal,
        pathStyleAccess: true as const,
        stsUnavailable: true as const,
        allowedLocations: [`s3://${bucketId}/`],
      }));

    this.registerOutputs({
      endpoint: this.endpoint,
      endpointInternal: this.endpointInternal,
      bucket: this.bucket,
      region: this.region,
      accessKeyId: this.accessKeyId,
      secretAccessKey: this.secretAccessKey,
      catalogStorage: this.catalogStorage,
    });
  }
}
