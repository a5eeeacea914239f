import { readEndpoints, sharedInstance } from "./sandbox";

// Plain HTTP against the sandbox's real Polaris, for tests that check the server itself. The library's own
// client is tested on its own; these helpers stay deliberately small so a test reads like the REST calls
// it makes.

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export interface PolarisSession {
  managementUri: string;
  catalogUri: string;
  token: string;
}

/** An OAuth2 client-credentials token, or the server's refusal as a Reply. */
export async function requestToken(
  clientId: string,
  clientSecret: string,
  instance = sharedInstance,
  scope = "PRINCIPAL_ROLE:ALL",
): Promise<Reply<{ access_token?: string; expires_in?: number; error?: string }>> {
  const endpoints = readEndpoints(instance);
  const response = await fetch(`${endpoints.POLARIS_CATALOG_URI}/v1/oauth/tokens`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Polaris-Realm": endpoints.POLARIS_REALM!,
    },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      scope,
    }),
  });
  return { status: response.status, body: (await response.json()) as Reply["body"] };
}

export async function session(
  clientId?: string,
  clientSecret?: string,
  instance = sharedInstance,
): Promise<PolarisSession> {
  const endpoints = readEndpoints(instance);
  const id = clientId ?? endpoints.POLARIS_CLIENT_ID!;
  const token = await requestToken(id, clientSecret ?? endpoints.POLARIS_CLIENT_SECRET!, instance);
  if (token.status !== 200 || !token.body.access_token) {
    throw new Error(`no token for ${id}: HTTP ${token.status} ${JSON.stringify(token.body)}`);
  }
  return {
    managementUri: endpoints.POLARIS_MANAGEMENT_URI!,
    catalogUri: endpoints.POLARIS_CATALOG_URI!,
    token: token.body.access_token,
  };
}

/** One request; `path` is relative to the management API unless it starts with "/api/". */
export async function call<T = Record<string, unknown>>(
  polaris: PolarisSession,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply<T>> {
  const base = path.startsWith("/api/") ? new URL(polaris.managementUri).origin : polaris.managementUri;
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${polaris.token}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

/**
 * A catalog's storage on the sandbox's moto, under `s3://<bucket>/<catalog>/` (Polaris refuses catalogs
 * whose locations overlap), vending through `roleArn`.
 */
export function motoStorage(bucket: string, catalog: string, roleArn: string, instance = sharedInstance) {
  const endpoints = readEndpoints(instance);
  return {
    storageType: "S3",
    allowedLocations: [`s3://${bucket}/${catalog}/`],
    roleArn,
    region: endpoints.AWS_REGION,
    endpoint: endpoints.S3_ENDPOINT,
    stsEndpoint: endpoints.MOTO_ENDPOINT,
    pathStyleAccess: true,
  };
}

/** A unique lower-case name for this test run, so reruns against one sandbox never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** Creates an INTERNAL catalog on the sandbox's moto warehouse and returns its name. */
export async function createS3Catalog(
  polaris: PolarisSession,
  warehouse: { bucket: string; roleArn: string },
  name = uniqueName("cat"),
): Promise<string> {
  const created = await call(polaris, "POST", "/catalogs", { catalog: s3CatalogBody(warehouse, name) });
  if (created.status !== 201)
    throw new Error(`creating catalog ${name}: HTTP ${created.status} ${JSON.stringify(created.body)}`);
  return name;
}

export function s3CatalogBody(warehouse: { bucket: string; roleArn: string }, name: string) {
  return {
    type: "INTERNAL",
    name,
    properties: { "default-base-location": `s3://${warehouse.bucket}/${name}` },
    storageConfigInfo: motoStorage(warehouse.bucket, name, warehouse.roleArn),
  };
}
