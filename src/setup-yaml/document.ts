/**
 * The documented shape of a validated setup YAML: what parseSetupYaml, readSetupYamlFile and
 * validateSetupDocument return. Every form that `polaris setup apply` accepts is brought to one here
 * (namespaces as levels, policies as a list, absent lists as empty ones), and the keys keep the names they
 * have in the file. The zod schema in schema.ts yields exactly these types (it checks so at compile time),
 * so this file is the reference and the schema the rules. No Pulumi import.
 */

/** A validated setup YAML, in one normalized form; every top-level key is present, empty when not given. */
export interface SetupDocument {
  /** `principal_roles:`, each entry as a mapping (a bare name in the file has no properties). */
  principal_roles: SetupPrincipalRole[];
  /** `principals:`, by principal name. `root` may appear (as in `polaris setup export`); it is built in. */
  principals: Record<string, SetupPrincipal>;
  /** `catalogs:`, in file order. */
  catalogs: SetupCatalog[];
}

/** A principal role of `principal_roles:`. */
export interface SetupPrincipalRole {
  /** The principal role's name; `service_admin` is built in and only referenced. */
  name: string;
  /** Its properties, all strings. */
  properties: Record<string, string>;
}

/** A principal of `principals:`; its credentials are issued by Polaris, never written in the file. */
export interface SetupPrincipal {
  /** Only `service` (in any case), the one principal type. */
  type?: string;
  /** Its properties, all strings; empty when not given. */
  properties: Record<string, string>;
  /** Principal roles to assign to it: ones the file declares, or ones that exist on the server. */
  roles?: string[];
}

/**
 * A catalog of `catalogs:`: its storage keys sit on the catalog itself, as `polaris setup apply` reads
 * them, and only those of its `storage_type` are accepted.
 */
export interface SetupCatalog {
  /** The catalog's name. */
  name: string;
  /** `internal` (Polaris holds the tables) or `external` (federated through `connection`), lower-cased. */
  type: "internal" | "external";
  /** Where the tables are: `s3`, `azure`, `gcs` or `file`. */
  storage_type: "s3" | "azure" | "gcs" | "file";
  /** A storage configuration defined on the server, to use instead of its default one. */
  storage_name?: string;
  /** Where new namespaces and tables go unless they say otherwise; Polaris adds it to the allowed locations. */
  default_base_location: string;
  /** Further locations tables may use. */
  allowed_locations?: string[];
  /** The catalog's properties, all strings; empty when not given. */
  properties: Record<string, string>;
  /** S3: the IAM role Polaris assumes to vend credentials. */
  role_arn?: string;
  /** S3: the external id in that role's trust policy. */
  external_id?: string;
  /** S3: the IAM user Polaris assumes the role as. Filled in by Polaris, so never sent. */
  user_arn?: string;
  /** S3: the bucket's region. */
  region?: string;
  /** S3: the endpoint clients use, such as an emulator's. */
  endpoint?: string;
  /** S3: the endpoint Polaris itself uses, when it differs from `endpoint`. */
  endpoint_internal?: string;
  /** S3: the STS endpoint Polaris uses to vend credentials. */
  sts_endpoint?: string;
  /** S3: never call STS, so no credential vending. */
  sts_unavailable?: boolean;
  /** S3: add no KMS key policies to vended credentials. */
  kms_unavailable?: boolean;
  /** S3: path-style bucket addressing, as emulators need. */
  path_style_access?: boolean;
  /** S3: the KMS key for new data. */
  current_kms_key?: string;
  /** S3: KMS keys clients may read with. */
  allowed_kms_keys?: string[];
  /** S3, Polaris 1.5 and later: accepted by the reader, refused by PolarisSetup (made for Polaris 1.4.1). */
  encryption_keys?: string[];
  /** S3, Polaris 1.5 and later: accepted by the reader, refused by PolarisSetup (made for Polaris 1.4.1). */
  decryption_keys?: string[];
  /** Azure (required there): the Microsoft Entra tenant that owns the storage account. */
  tenant_id?: string;
  /** Azure: filled in by Polaris, so never sent. */
  multi_tenant_app_name?: string;
  /** Azure: filled in by Polaris, so never sent. */
  consent_url?: string;
  /** Azure: scope SAS tokens to the table's path (accounts with a hierarchical namespace). */
  hierarchical?: boolean;
  /** GCS: the service account Polaris uses. Filled in by Polaris, so never sent. */
  service_account?: string;
  /** External catalogs only (and required there): the remote catalog this one federates to. */
  connection?: SetupConnection;
  /** `namespaces:`, in file order, as written (the parents of a nested namespace are not added here). */
  namespaces: SetupNamespace[];
  /** `roles:`, the catalog roles by name; `catalog_admin` is built in and only referenced. */
  roles: Record<string, SetupCatalogRole>;
  /** `policies:`, as a list whichever form the file uses. */
  policies: SetupPolicy[];
}

/** A catalog's `connection:`: the remote catalog an external catalog federates to. */
export interface SetupConnection {
  /** The kind of remote catalog. */
  type: "iceberg-rest" | "hadoop" | "hive";
  /** The remote's address (required): an Iceberg REST base URL, a file system URI or a metastore. */
  uri?: string;
  /** Hadoop and Hive (required there): where the remote's tables are. */
  warehouse?: string;
  /** Iceberg REST: the catalog inside the remote service. */
  remote_catalog_name?: string;
  /** How Polaris authenticates to the remote (required). */
  authentication?: SetupAuthentication;
  /** Polaris' identity towards the remote. Filled in by Polaris, so never sent. */
  service_identity?: SetupServiceIdentity;
}

/**
 * A connection's `authentication:`. Only the keys of its `type` are accepted; `client_secret` and `token`
 * are secrets, which PolarisSetup keeps secret in the stack's state.
 */
export interface SetupAuthentication {
  /** `oauth`, `bearer`, `sigv4`, `implicit`, or `gcp` (Polaris 1.5 and later, refused by PolarisSetup). */
  type: "oauth" | "bearer" | "sigv4" | "gcp" | "implicit";
  /** OAuth (required): the remote's token endpoint. */
  token_uri?: string;
  /** OAuth (required): the client id at the remote. */
  client_id?: string;
  /** OAuth (required): the client secret at the remote; a secret. */
  client_secret?: string;
  /** OAuth (required): the scopes to ask for. */
  scopes?: string[];
  /** Bearer (required): the token sent with every request; a secret. */
  token?: string;
  /** SigV4 (required): the IAM role Polaris assumes. */
  role_arn?: string;
  /** SigV4: the session name Polaris assumes the role with. */
  role_session_name?: string;
  /** SigV4: the external id in the role's trust policy. */
  external_id?: string;
  /** SigV4 (required): the AWS region to sign for. */
  signing_region?: string;
  /** SigV4: the service to sign for, such as `glue`. */
  signing_name?: string;
}

/** A connection's `service_identity:`, as `polaris setup export` writes it. */
export interface SetupServiceIdentity {
  /** The only identity type, `aws_iam`. */
  type: "aws_iam";
  /** The IAM ARN Polaris acts as, which a SigV4 role must trust (required). */
  iam_arn?: string;
}

/** A namespace of a catalog's `namespaces:`, whichever of the three forms the file uses. */
export interface SetupNamespace {
  /** The namespace's levels: `a.b` and `[a, b]` both become `["a", "b"]`. */
  levels: string[];
  /** Where the namespace's tables go, when not under its parent's location. */
  location: string | undefined;
  /** Its properties, all strings; empty when not given. */
  properties: Record<string, string>;
}

/** A catalog role of a catalog's `roles:`. */
export interface SetupCatalogRole {
  /** Its properties, all strings; empty when not given. */
  properties: Record<string, string>;
  /** Principal roles to assign it to: ones the file declares, or ones that exist on the server. */
  assign_to?: string[];
  /** What the role may do in its catalog. */
  privileges?: SetupPrivileges;
}

/** A catalog role's `privileges:`; every privilege name is checked against those Polaris 1.4.1 knows. */
export interface SetupPrivileges {
  /** Catalog privileges, such as `TABLE_READ_DATA` (granted on the whole catalog). */
  catalog?: string[];
  /** Namespace privileges, one entry per namespace, whichever of the two forms the file uses. */
  namespace?: SetupNamespacePrivileges[];
  /** Kept as written only to warn about it: `polaris setup apply` and PolarisSetup grant no table privileges. */
  table?: unknown;
  /** Kept as written only to warn about it: `polaris setup apply` and PolarisSetup grant no view privileges. */
  view?: unknown;
}

/** The privileges granted on one namespace. */
export interface SetupNamespacePrivileges {
  /** The namespace's levels. */
  namespace: string[];
  /** Namespace privileges, such as `TABLE_CREATE`. */
  privileges: string[];
}

/**
 * A policy of a catalog's `policies:`. Its `namespace`, `type` and one of `content` or `file` are
 * required; the reader reports each one missing with its key path.
 */
export interface SetupPolicy {
  /** The policy's name (its key, when the file gives policies as a mapping). */
  name: string;
  /** The levels of the namespace the policy lives in. */
  namespace?: string[];
  /** A policy type Polaris 1.4.1 knows, such as `system.data-compaction`. */
  type?: string;
  /** A description of the policy. */
  description?: string;
  /** The policy's content: JSON text, or a mapping. */
  content?: string | Record<string, unknown>;
  /** A JSON file holding the content, relative to the YAML's folder (or to PolarisSetup's `baseDir`). */
  file?: string;
  /** Where to attach the policy. */
  attach?: SetupAttachment[];
}

/** One target of a policy's `attach:`. */
export interface SetupAttachment {
  /** What the policy is attached to. */
  type: "catalog" | "namespace" | "table-like";
  /** The dotted namespace, or namespace and table; required except for `catalog`, which takes none. */
  path?: string;
  /** Attachment parameters: accepted by the reader, refused by PolarisSetup, which does not send them. */
  parameters?: Record<string, string>;
}
