import * as pulumi from "@pulumi/pulumi";
import { lazyProvider } from "./lazy-provider";
import { type ManagementArgs, ownerOf, withSecretOutputs } from "./management-resource";

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
  /** EXTERNAL catalogs only: the remote catalog to federate to (Polaris' `connectionConfigInfo`). @default none */
  readonly connectionConfig?: pulumi.Input<Record<string, unknown>>;
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
  declare readonly entityVersion: pulumi.Output<number>;

  constructor(name: string, args: CatalogArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      lazyProvider("polaris-pulumi/entities/catalog"),
      name,
      {
        type: undefined,
        properties: undefined,
        ...args,
        owner: ownerOf(name),
        serverStorage: undefined,
        entityVersion: undefined,
      },
      withSecretOutputs(opts),
      "polaris",
      "Catalog",
    );
  }
}
