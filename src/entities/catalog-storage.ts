import { z } from "zod";

/**
 * A catalog's storage (Polaris' `storageConfigInfo`), one shape per storage type, with every field the
 * 1.4.1 spec defines. Fields the server fills in itself (`userArn` for S3; `consentUrl` and
 * `multiTenantAppName` for Azure; `gcsServiceAccount` for GCS) are outputs, never inputs.
 */

const SCHEMES = {
  S3: ["s3://", "s3a://"],
  GCS: ["gs://"],
  AZURE: ["abfss://", "wasbs://"],
  FILE: ["file:/"],
} as const;

export type StorageType = keyof typeof SCHEMES;

function locations(storageType: StorageType) {
  const schemes = SCHEMES[storageType];
  return z
    .array(
      z
        .string()
        .refine(
          (location) => schemes.some((scheme) => location.startsWith(scheme)),
          `must be an absolute ${storageType} location starting with ${schemes.join(" or ")}`,
        ),
      { error: "allowedLocations must be a list of storage locations" },
    )
    .min(1, "allowedLocations must name at least one location")
    .superRefine((list, context) => {
      const normalized = list.map(withSlash);
      normalized.forEach((location, index) => {
        const other = normalized.findIndex((candidate, j) => j !== index && location.startsWith(candidate));
        if (other >= 0) {
          context.addIssue({
            code: "custom",
            path: [index],
            message: `${list[index]} overlaps ${list[other]}: list each location once, without nesting`,
          });
        }
      });
    });
}

export const awsArn = (service: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `must be an AWS ${service.toUpperCase()} ARN`);

export const awsRegion = () =>
  z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as us-east-1");

const s3 = z.strictObject({
  storageType: z.literal("S3"),
  allowedLocations: locations("S3"),
  roleArn: awsArn("iam").optional(),
  externalId: z.string().min(2).max(1224).optional(),
  region: awsRegion().optional(),
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  endpointInternal: z.url({ protocol: /^https?$/ }).optional(),
  stsEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  stsUnavailable: z.boolean().optional(),
  pathStyleAccess: z.boolean().optional(),
  kmsUnavailable: z.boolean().optional(),
  currentKmsKey: awsArn("kms").optional(),
  allowedKmsKeys: z.array(awsArn("kms")).optional(),
  storageName: z.string().min(1).optional(),
});

const gcs = z.strictObject({
  storageType: z.literal("GCS"),
  allowedLocations: locations("GCS"),
  storageName: z.string().min(1).optional(),
});

const azure = z.strictObject({
  storageType: z.literal("AZURE"),
  allowedLocations: locations("AZURE"),
  tenantId: z.string({ error: "tenantId is required for AZURE storage" }).min(1),
  hierarchical: z.boolean().optional(),
  storageName: z.string().min(1).optional(),
});

const file = z.strictObject({
  storageType: z.literal("FILE"),
  allowedLocations: locations("FILE"),
  storageName: z.string().min(1).optional(),
});

export const storageSchema = z.discriminatedUnion("storageType", [s3, gcs, azure, file], {
  error: "storage.storageType must be one of S3, GCS, AZURE, FILE",
});

export type CatalogStorage = z.output<typeof storageSchema>;

/** Fields of a server's storageConfigInfo that Polaris fills in: reported, never compared. */
export const SERVER_FILLED_STORAGE_FIELDS = [
  "userArn",
  "consentUrl",
  "multiTenantAppName",
  "gcsServiceAccount",
] as const;

export function storagePrefixes(storageType: StorageType): readonly string[] {
  return SCHEMES[storageType];
}

export function withSlash(location: string): string {
  return location.endsWith("/") ? location : `${location}/`;
}

/**
 * The server's storage, limited to the fields declared, so that server defaults never show as drift. Polaris
 * adds the catalog's default base location to its allowed locations; unless it is declared too, that entry
 * is the server's doing and not drift (e.g. allowed s3://bucket/, base s3://bucket/warehouse/).
 */
export function declaredStorageView(
  server: Record<string, unknown>,
  declared: CatalogStorage,
  defaultBaseLocation?: string,
): CatalogStorage {
  const view: Record<string, unknown> = { storageType: server.storageType };
  const declaredLocations = normalizeLocations(declared.allowedLocations);
  const added = defaultBaseLocation === undefined ? undefined : withSlash(defaultBaseLocation);
  for (const key of Object.keys(declared)) {
    if (key === "storageType") continue;
    const value = server[key];
    if (value === undefined) continue;
    view[key] =
      key === "allowedLocations"
        ? normalizeLocations(value as string[]).filter(
            (location) => location !== added || declaredLocations.includes(location),
          )
        : value;
  }
  return view as CatalogStorage;
}

/** Polaris may add the default base location to allowedLocations, and returns them in its own order. */
export function normalizeLocations(list: readonly string[]): string[] {
  return [...new Set(list.map(withSlash))].sort();
}

export function sameStorage(a: CatalogStorage, b: CatalogStorage): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(storage: CatalogStorage): Record<string, unknown> {
  const entries = Object.entries(storage)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [key, key === "allowedLocations" ? normalizeLocations(value as string[]) : value]);
  return Object.fromEntries(entries.sort(([a], [b]) => String(a).localeCompare(String(b))));
}

/** The AWS account of a role ARN: arn:aws:iam::<account>:role/... */
export function arnAccount(arn: string | undefined): string | undefined {
  return arn?.split(":")[4];
}

/**
 * Storage changes Polaris 1.4.1 refuses with 400 unless the server runs with
 * ALLOW_UNRESTRICTED_STORAGE_CONFIG_ROLE_CHANGES: another storage type, a role in another AWS account,
 * another external id. Returns the fields that change in such a way.
 */
export function restrictedStorageChanges(before: CatalogStorage, after: CatalogStorage): string[] {
  if (before.storageType !== after.storageType) return ["storage.storageType"];
  if (before.storageType !== "S3" || after.storageType !== "S3") return [];
  const changed: string[] = [];
  if (before.roleArn && after.roleArn && arnAccount(before.roleArn) !== arnAccount(after.roleArn)) {
    changed.push("storage.roleArn");
  }
  if ((before.externalId ?? "") !== (after.externalId ?? "")) changed.push("storage.externalId");
  return changed;
}
