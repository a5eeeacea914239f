import * as pulumi from "@pulumi/pulumi";
import { lazyProvider } from "./lazy-provider";
import {
  declaredIdentity,
  type ManagementArgs,
  ownerOf,
  secretConnection,
  withSecretOutputs,
} from "./management-resource";

/** S3 storage; every field of Polaris 1.4.1's AwsStorageConfigInfo except the server-filled `userArn`. */
export interface S3StorageArgs {
  storageType: "S3";
  /** Absolute `s3://` locations the catalog's tables may use; none nested in another. */
  allowedLocations: string[];
  /** The role Polaris assumes to vend credentials. @default none: no credential vending */
  roleArn?: string;
  /** The external id in the role's trust policy. @default none */
  externalId?: string;
  /** @default the server's region */
  region?: string;
  /** S3 endpoint that clients use (an emulator, for example). @default AWS S3 */
  endpoint?: string;
  /** S3 endpoint that Polaris itself uses. @default `endpoint` */
  endpointInternal?: string;
  /** STS endpoint that Polaris uses to vend credentials. @default `endpointInternal` */
  stsEndpoint?: string;
  /** Never call STS: no credential vending. @default false */
  stsUnavailable?: boolean;
  /** Path-style bucket addressing, as emulators need. @default false */
  pathStyleAccess?: boolean;
  /** Do not add KMS key policies. @default false */
  kmsUnavailable?: boolean;
  /** KMS key for new data. @default none */
  currentKmsKey?: string;
  /** KMS keys clients may read with. @default none */
  allowedKmsKeys?: string[];
  /** A server-side storage configuration to use. @default none */
  storageName?: string;
}

export interface GcsStorageArgs {
  storageType: "GCS";
  /** Absolute `gs://` locations. */
  allowedLocations: string[];
  /** @default none */
  storageName?: string;
}

export interface AzureStorageArgs {
  storageType: "AZURE";
  /** Absolute `abfss://` or `wasbs://` locations. */
  allowedLocations: string[];
  tenantId: string;
  /** Scope SAS tokens to the table's path (hierarchical namespace accounts only). @default false */
  hierarchical?: boolean;
  /** @default none */
  storageName?: string;
}

/** Local files: for tests only, and only when the server allows FILE storage. */
export interface FileStorageArgs {
  storageType: "FILE";
  /** Absolute `file:/` locations. */
  allowedLocations: string[];
  /** @default none */
  storageName?: string;
}

export type CatalogStorageArgs = S3StorageArgs | GcsStorageArgs | AzureStorageArgs | FileStorageArgs;

/** OAuth2 client credentials, exchanged for a token at the remote catalog. */
export interface OAuthAuthenticationArgs {
  authenticationType: "OAUTH";
  /** The remote token endpoint. @default the remote catalog's `<uri>/v1/oauth/tokens` */
  tokenUri?: string;
  clientId: string;
  /** Polaris stores it and never returns it; kept secret in state. */
  clientSecret: string;
  /** Scopes to ask for, such as `PRINCIPAL_ROLE:ALL` for a remote Polaris. @default none */
  scopes?: string[];
}

/** A fixed bearer token sent with every request to the remote catalog. */
export interface BearerAuthenticationArgs {
  authenticationType: "BEARER";
  /** Polaris stores it and never returns it; kept secret in state. */
  bearerToken: string;
}

/** AWS SigV4 signing (AWS Glue, S3 Tables) with a role that Polaris assumes. */
export interface SigV4AuthenticationArgs {
  authenticationType: "SIGV4";
  /** The role Polaris assumes; it must trust the catalog's `serviceIdentity`. */
  roleArn: string;
  /** @default chosen by Polaris */
  roleSessionName?: string;
  /** The external id in the role's trust policy. @default none */
  externalId?: string;
  signingRegion: string;
  /** The service to sign for, e.g. "glue". @default "execute-api" */
  signingName?: string;
}

/** Credentials from Polaris' own environment; the server must list IMPLICIT as supported. */
export interface ImplicitAuthenticationArgs {
  authenticationType: "IMPLICIT";
}

export type ConnectionAuthenticationArgs =
  | OAuthAuthenticationArgs
  | BearerAuthenticationArgs
  | SigV4AuthenticationArgs
  | ImplicitAuthenticationArgs;

/** A remote Iceberg REST catalog, such as another Polaris at `https://host/api/catalog`. */
export interface IcebergRestConnectionArgs {
  connectionType: "ICEBERG_REST";
  /** The remote catalog service's base URL (for Polaris, ending in `/api/catalog`). */
  uri: string;
  /** The catalog (warehouse) inside the remote service. @default the remote service's default */
  remoteCatalogName?: string;
  authenticationParameters: ConnectionAuthenticationArgs;
}

/** A Hadoop catalog; the server must list HADOOP in SUPPORTED_CATALOG_CONNECTION_TYPES. */
export interface HadoopConnectionArgs {
  connectionType: "HADOOP";
  uri: string;
  /** Where the catalog's tables are. @default none */
  warehouse?: string;
  authenticationParameters: ConnectionAuthenticationArgs;
}

/** A Hive metastore; the server must list HIVE in SUPPORTED_CATALOG_CONNECTION_TYPES. */
export interface HiveConnectionArgs {
  connectionType: "HIVE";
  /** The metastore, such as `thrift://host:9083`. */
  uri: string;
  /** The Hive warehouse location. @default none */
  warehouse?: string;
  authenticationParameters: ConnectionAuthenticationArgs;
}

/**
 * How an EXTERNAL catalog reaches the remote catalog it federates to (Polaris' `connectionConfigInfo`).
 * The server needs ENABLE_CATALOG_FEDERATION=true. Polaris cannot change it in place, secrets included.
 */
export type CatalogConnectionArgs = IcebergRestConnectionArgs | HadoopConnectionArgs | HiveConnectionArgs;

export interface CatalogArgs extends ManagementArgs {
  /** The catalog's name; changing it replaces the catalog. */
  readonly name: pulumi.Input<string>;
  /** INTERNAL (Polaris-managed) or EXTERNAL (federated or fed by notifications); not changeable. @default "INTERNAL" */
  readonly type?: pulumi.Input<"INTERNAL" | "EXTERNAL">;
  /** Polaris' `default-base-location`, inside the storage's allowed locations. */
  readonly defaultBaseLocation: pulumi.Input<string>;
  /** Properties this resource manages; keys it does not declare are left alone. @default {} */
  readonly properties?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  readonly storage: pulumi.Input<CatalogStorageArgs>;
  /**
   * EXTERNAL catalogs only: the remote catalog to federate to. Kept secret in state. Not changeable in place
   * (set `allowReplace` to replace the catalog instead). @default none: not federated
   */
  readonly connectionConfig?: pulumi.Input<CatalogConnectionArgs>;
  /** The server runs with ALLOW_UNRESTRICTED_STORAGE_CONFIG_ROLE_CHANGES. @default false */
  readonly allowUnrestrictedStorageChanges?: boolean;
  /**
   * Let a change that Polaris refuses in place (type, storage type, a role in another AWS account, another
   * external id) replace the catalog. Honoured only while the catalog holds no namespace. @default false
   */
  readonly allowReplace?: boolean;
}

/** A Polaris catalog with its storage. Creating it also creates its `catalog_admin` role. */
export class Catalog extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly type: pulumi.Output<"INTERNAL" | "EXTERNAL">;
  declare readonly defaultBaseLocation: pulumi.Output<string>;
  declare readonly properties: pulumi.Output<Record<string, string>>;
  declare readonly storage: pulumi.Output<CatalogStorageArgs>;
  /** Fields Polaris filled in, such as the S3 `userArn` a storage role must trust. */
  declare readonly serverStorage: pulumi.Output<Record<string, unknown>>;
  /** The remote connection; a secret, since it holds the remote credentials. */
  declare readonly connectionConfig: pulumi.Output<CatalogConnectionArgs | undefined>;
  /** Polaris' identity towards the remote catalog (SIGV4: the IAM ARN the role must trust), if it has one. */
  declare readonly serviceIdentity: pulumi.Output<Record<string, unknown> | undefined>;
  declare readonly entityVersion: pulumi.Output<number>;

  constructor(name: string, args: CatalogArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      lazyProvider("polaris-pulumi/entities/catalog"),
      name,
      {
        type: undefined,
        properties: undefined,
        ...args,
        connection: secretConnection(args.connection),
        // additionalSecretOutputs covers the outputs only: the input, which state keeps too, is made secret here.
        connectionConfig:
          args.connectionConfig === undefined ? undefined : pulumi.secret(args.connectionConfig),
        owner: ownerOf(name),
        serverStorage: undefined,
        serviceIdentity: undefined,
        entityVersion: undefined,
      },
      // The remote connection holds the remote catalog's credentials.
      withSecretOutputs(opts, ["connectionConfig"]),
      "polaris",
      "Catalog",
    );
    declaredIdentity(this, { name: args.name });
  }
}
