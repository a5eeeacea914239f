import { createHash } from "node:crypto";
import { z } from "zod";
import { stackConfig } from "../../dynamic/stack-config";
import { PolarisClient } from "../../polaris/client";

/**
 * How the management resources reach Polaris. Every field may come from another resource's outputs (for
 * example PolarisServer's `connection`), or from stack config under the `polaris:` namespace:
 *
 *   pulumi config set polaris:uri https://polaris.example.com
 *   pulumi config set polaris:clientId root
 *   pulumi config set --secret polaris:clientSecret ...
 *
 * Stack config is read at every operation, so rotated credentials reach refresh and destroy of entities
 * created before the rotation, and a rotation never shows up as a change of any entity.
 */
export const connectionSchema = z.object({
  uri: z
    .url({
      protocol: /^https?$/,
      error: "connection.uri must be an http(s) URL such as https://polaris.example.com",
    })
    .refine((uri) => !/\/api\//.test(uri), "connection.uri is the server's base URL, without /api/..."),
  realm: z.string().min(1).optional(),
  clientId: z
    .string({ error: "connection.clientId is required" })
    .min(1, "connection.clientId must not be empty"),
  clientSecret: z
    .string({ error: "connection.clientSecret is required" })
    .min(1, "connection.clientSecret must not be empty"),
  scope: z.string().min(1).default("PRINCIPAL_ROLE:ALL"),
  caCertificate: z.string().optional(),
  timeoutMs: z.number().int().positive().optional(),
});

export type PolarisConnection = z.output<typeof connectionSchema>;
export type PolarisConnectionInput = z.input<typeof connectionSchema>;

const CONFIG_KEYS = ["uri", "realm", "clientId", "clientSecret", "scope", "caCertificate"] as const;

/** The connection set in stack config (`polaris:uri` ...), if any. */
export function connectionFromStackConfig(): PolarisConnectionInput | undefined {
  const config = stackConfig();
  if (!config?.get("polaris:uri")) return undefined;
  const values: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    const value = config.get(`polaris:${key}`);
    if (value !== undefined) values[key] = value;
  }
  return values as unknown as PolarisConnectionInput;
}

const ENVIRONMENT_KEYS = {
  uri: "POLARIS_URI",
  realm: "POLARIS_REALM",
  clientId: "POLARIS_CLIENT_ID",
  clientSecret: "POLARIS_CLIENT_SECRET",
  scope: "POLARIS_SCOPE",
} as const;

/**
 * The connection in the environment of `pulumi` (POLARIS_URI, POLARIS_CLIENT_ID, POLARIS_CLIENT_SECRET,
 * optional POLARIS_REALM and POLARIS_SCOPE), if any: how a CI job or the sandbox hands over credentials
 * that change from run to run without writing them into stack config.
 */
export function connectionFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): PolarisConnectionInput | undefined {
  if (!env.POLARIS_URI || !env.POLARIS_CLIENT_ID || !env.POLARIS_CLIENT_SECRET) return undefined;
  const values: Record<string, string> = {};
  for (const [key, name] of Object.entries(ENVIRONMENT_KEYS)) {
    if (env[name]) values[key] = env[name];
  }
  return values as unknown as PolarisConnectionInput;
}

/**
 * The connection an operation uses: the resource's own, unless stack config or else the environment names
 * the same server (or the resource has none), in which case their credentials win: they are the current ones.
 */
export function resolveConnection(fromResource: unknown): PolarisConnection {
  const configured = connectionFromStackConfig() ?? connectionFromEnvironment();
  const own =
    fromResource === undefined || fromResource === null
      ? undefined
      : (fromResource as PolarisConnectionInput);
  const sameServer =
    configured !== undefined &&
    own !== undefined &&
    trimSlash(configured.uri) === trimSlash(own.uri) &&
    (configured.realm ?? own.realm) === own.realm;
  const chosen = own === undefined || sameServer ? { ...own, ...configured } : own;
  if (!chosen || Object.keys(chosen).length === 0) {
    throw new Error(
      "no Polaris connection: give the resource a `connection` (uri, clientId, clientSecret), set stack config " +
        "polaris:uri, polaris:clientId and, as a secret, polaris:clientSecret, or set POLARIS_URI, POLARIS_CLIENT_ID " +
        "and POLARIS_CLIENT_SECRET in the environment of `pulumi`",
    );
  }
  const parsed = connectionSchema.safeParse(chosen);
  if (!parsed.success) {
    const fromConfig = own === undefined || sameServer ? configured : undefined;
    const problems = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? "");
      const configuredField =
        fromConfig !== undefined && (field in fromConfig || own === undefined || !(field in own));
      const setting = configuredField ? configuredName(field) : `connection.${field}`;
      const prefix = `connection.${field}`;
      return issue.message.startsWith(prefix)
        ? `${setting}${issue.message.slice(prefix.length)}`
        : `${setting}: ${issue.message}`;
    });
    throw new Error(`invalid Polaris connection: ${problems.join("; ")}`);
  }
  return { ...parsed.data, uri: trimSlash(parsed.data.uri) };
}

/** Where a connection field set outside the resource comes from, as the user set it. */
function configuredName(field: string): string {
  if (connectionFromStackConfig() !== undefined) return `stack config polaris:${field}`;
  const variable = ENVIRONMENT_KEYS[field as keyof typeof ENVIRONMENT_KEYS];
  return variable ? `environment variable ${variable}` : `connection.${field}`;
}

const clients = new Map<string, PolarisClient>();

/** One client per connection and process, so every resource of a run shares its pool and its token. */
export function clientFor(connection: PolarisConnection): PolarisClient {
  const key = [
    connection.uri,
    connection.realm ?? "",
    connection.clientId,
    connection.scope,
    digest(connection.clientSecret),
    digest(connection.caCertificate ?? ""),
    String(connection.timeoutMs ?? ""),
  ].join("\u0000");
  let client = clients.get(key);
  if (!client) {
    client = new PolarisClient(connection);
    clients.set(key, client);
  }
  return client;
}

function digest(secret: string): string {
  return createHash("sha256").update(secret).digest("hex").slice(0, 16);
}

function trimSlash(uri: string): string {
  return uri.replace(/\/+$/, "");
}
