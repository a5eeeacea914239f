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
  /** Selects S3 storage. */
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

/** Google Cloud Storage; Polaris vends downscoped tokens with its own service account. */
export interface GcsStorageArgs {
  /** Selects Google Cloud Storage. */
  storageType: "GCS";
  /** Absolute `gs://` locations. */
  allowedLocations: string[];
  /** @default none */
  storageName?: string;
}

/** Azure Data Lake Storage or Blob Storage; Polaris vends SAS tokens. */
export interface AzureStorageArgs {
  /** Selects Azure storage. */
  storageType: "AZURE";
  /** Absolute `abfss://` or `wasbs://` locations. */
  allowedLocations: string[];
  /** The Microsoft Entra (Azure AD) tenant that owns the storage account. */
  tenantId: string;
  /** Scope SAS tokens to the table's path (hierarchical namespace accounts only). @default false */
  hierarchical?: boolean;
  /** @default none */
  storageName?: string;
}

/** Local files: for tests only, and only when the server allows FILE storage. */
export interface FileStorageArgs {
  /** Selects local files. */
  storageType: "FILE";
  /** Absolute `file:/` locations. */
  allowedLocations: string[];
  /** @default none */
  storageName?: string;
}

/** Where a catalog's tables are and how Polaris reaches them (Polaris' `storageConfigInfo`), by `storageType`. */
export type CatalogStorageArgs = S3StorageArgs | GcsStorageArgs | AzureStorageArgs | FileStorageArgs;

/** OAuth2 client credentials, exchanged for a token at the remote catalog. */
export interface OAuthAuthenticationArgs {
  /** Selects OAuth2 client credentials. */
  authenticationType: "OAUTH";
  /** The remote token endpoint. @default the remote catalog's `<uri>/v1/oauth/tokens` */
  tokenUri?: string;
  /** The client id at the remote catalog. */
  clientId: string;
  /** Polaris stores it and never returns it; kept secret in state. */
  clientSecret: string;
  /** Scopes to ask for, such as `PRINCIPAL_ROLE:ALL` for a remote Polaris. @default none */
  scopes?: string[];
}

/** A fixed bearer token sent with every request to the remote catalog. */
export interface BearerAuthenticationArgs {
  /** Selects a fixed bearer token. */
  authenticationType: "BEARER";
  /** Polaris stores it and never returns it; kept secret in state. */
  bearerToken: string;
}

/** AWS SigV4 signing (AWS Glue, S3 Tables) with a role that Polaris assumes. */
export interface SigV4AuthenticationArgs {
  /** Selects AWS SigV4 signing. */
  authenticationType: "SIGV4";
  /** The role Polaris assumes; it must trust the catalog's `serviceIdentity`. */
  roleArn: string;
  /** @default chosen by Polaris */
  roleSessionName?: string;
  /** The external id in the role's trust policy. @default none */
  externalId?: string;
  /** The AWS region to sign requests for, e.g. `us-east-1`. */
  signingRegion: string;
  /** The service to sign for, e.g. "glue". @default "execute-api" */
  signingName?: string;
}

/** Credentials from Polaris' own environment; the server must list IMPLICIT as supported. */
export interface ImplicitAuthenticationArgs {
  /** Selects the server's own credentials. */
  authenticationType: "IMPLICIT";
}

/** How Polaris authenticates to a remote catalog, by `authenticationType`. */
export type ConnectionAuthenticationArgs =
  | OAuthAuthenticationArgs
  | BearerAuthenticationArgs
  | SigV4AuthenticationArgs
  | ImplicitAuthenticationArgs;

/** A remote Iceberg REST catalog, such as another Polaris at `https://host/api/catalog`. */
export interface IcebergRestConnectionArgs {
  /** Selects an Iceberg REST catalog. */
  connectionType: "ICEBERG_REST";
  /** The remote catalog service's base URL (for Polaris, ending in `/api/catalog`). */
  uri: string;
  /** The catalog (warehouse) inside the remote service. @default the remote service's default */
  remoteCatalogName?: string;
  /** How Polaris authenticates to the remote catalog. */
  authenticationParameters: ConnectionAuthenticationArgs;
}

/** A Hadoop catalog; the server must list HADOOP in SUPPORTED_CATALOG_CONNECTION_TYPES. */
export interface HadoopConnectionArgs {
  /** Selects a Hadoop catalog. */
  connectionType: "HADOOP";
  /** The Hadoop file system URI, such as `hdfs://namenode:8020`. */
  uri: string;
  /** Where the catalog's tables are. @default none */
  warehouse?: string;
  /** How Polaris authenticates to the Hadoop catalog. */
  authenticationParameters: ConnectionAuthenticationArgs;
}

/** A Hive metastore; the server must list HIVE in SUPPORTED_CATALOG_CONNECTION_TYPES. */
export interface HiveConnectionArgs {
  /** Selects a Hive metastore. */
  connectionType: "HIVE";
  /** The metastore, such as `thrift://host:9083`. */
  uri: string;
  /** The Hive warehouse location. @default none */
  warehouse?: string;
  /** How Polaris authenticates to the metastore. */
  authenticationParameters: ConnectionAuthenticationArgs;
}

/**
 * How an EXTERNAL catalog reaches the remote catalog it federates to (Polaris' `connectionConfigInfo`).
 * The server needs ENABLE_CATALOG_FEDERATION=true. Polaris cannot change it in place, secrets included.
 */
export type CatalogConnectionArgs = IcebergRestConnectionArgs | HadoopConnectionArgs | HiveConnectionArgs;

/** Arguments of {@link Catalog}. */
export interface CatalogArgs extends ManagementArgs {
  /** The catalog's name; changing it replaces the catalog. */
  readonly name: pulumi.Input<string>;
  /** INTERNAL (Polaris-managed) or EXTERNAL (federated or fed by notifications); not changeable. @default "INTERNAL" */
  readonly type?: pulumi.Input<"INTERNAL" | "EXTERNAL">;
  /** Polaris' `default-base-location`, inside the storage's allowed locations. */
  readonly defaultBaseLocation: pulumi.Input<string>;
  /** Properties this resource manages; keys it does not declare are left alone. @default {} */
  readonly properties?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Where the catalog's tables are and how Polaris reaches them. Locations and most fields change in place;
   * what Polaris refuses in place (another storage type, a role in another AWS account, another external id)
   * needs `allowReplace`.
   */
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
  /** The catalog's name; known at preview, so grants and namespaces can name it before it exists. */
  declare readonly name: pulumi.Output<string>;
  /** INTERNAL or EXTERNAL. */
  declare readonly type: pulumi.Output<"INTERNAL" | "EXTERNAL">;
  /** Polaris' `default-base-location`. */
  declare readonly defaultBaseLocation: pulumi.Output<string>;
  /** The server's values of the declared property keys; keys that others added are not shown. */
  declare readonly properties: pulumi.Output<Record<string, string>>;
  /** The storage as declared. */
  declare readonly storage: pulumi.Output<CatalogStorageArgs>;
  /** Fields Polaris filled in, such as the S3 `userArn` a storage role must trust. */
  declare readonly serverStorage: pulumi.Output<Record<string, unknown>>;
  /** The remote connection; a secret, since it holds the remote credentials. */
  declare readonly connectionConfig: pulumi.Output<CatalogConnectionArgs | undefined>;
  /** Polaris' identity towards the remote catalog (SIGV4: the IAM ARN the role must trust), if it has one. */
  declare readonly serviceIdentity: pulumi.Output<Record<string, unknown> | undefined>;
  /** Polaris' version counter of the entity, which each update increments. */
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
