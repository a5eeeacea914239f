/**
 * The Polaris entities of a stack, read from its state (`pulumi stack export`): the outputs of this
 * library's management resources, which hold what each resource declares as Polaris holds it. Secrets
 * appear in plain text only in an export made with --show-secrets; an encrypted one is marked, never
 * guessed at. No Pulumi import.
 */
import type { GrantArgs } from "../../dynamic/grants";

type Fields = Record<string, unknown>;
type Properties = Record<string, string>;

/** A secret that the state export holds encrypted (made without --show-secrets). */
export const ENCRYPTED = Symbol("encrypted secret");

export interface StackEntities {
  catalogs: {
    name: string;
    type: "INTERNAL" | "EXTERNAL";
    defaultBaseLocation: string;
    properties: Properties;
    storage: Fields;
    connectionConfig?: Fields | typeof ENCRYPTED;
  }[];
  namespaces: { catalog: string; levels: string[]; properties: Properties }[];
  principalRoles: { name: string; properties: Properties }[];
  principals: { name: string; properties: Properties; chosenCredentials: boolean }[];
  catalogRoles: { catalog: string; name: string; properties: Properties }[];
  principalRoleAssignments: { principal: string; principalRole: string }[];
  catalogRoleAssignments: { catalog: string; catalogRole: string; principalRole: string }[];
  grants: { catalog: string; catalogRole: string; grant: GrantArgs; authoritative: boolean }[];
  policies: {
    catalog: string;
    namespace: string[];
    name: string;
    type: string;
    description?: string;
    content: string;
  }[];
  attachments: {
    catalog: string;
    policyNamespace: string[];
    policyName: string;
    target: { type: "catalog" | "namespace" | "table-like"; path?: string[] };
  }[];
}

// How `pulumi stack export` marks a secret value.
const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/** Replaces secret envelopes by their plain value (--show-secrets), or by ENCRYPTED. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value === null || typeof value !== "object") return value;
  const fields = value as Fields;
  if (fields[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE) {
    return typeof fields.plaintext === "string" ? unwrapSecrets(JSON.parse(fields.plaintext)) : ENCRYPTED;
  }
  return Object.fromEntries(Object.entries(fields).map(([key, inner]) => [key, unwrapSecrets(inner)]));
}

/** `Catalog` for a resource of this library (type `pulumi-nodejs:dynamic/polaris:Catalog`). */
function kindOf(resource: { type?: string; urn?: string }): string | undefined {
  for (const text of [resource.type, resource.urn?.split("::")[2]]) {
    // The URN's type ends with the resource's own type, after its parents' (`parent$child`).
    const match = text?.match(/pulumi-nodejs:dynamic\/polaris:(\w+)$/);
    if (match) return match[1];
  }
  return undefined;
}

const text = (fields: Fields, key: string) => fields[key] as string;
const properties = (fields: Fields) => (fields.properties ?? {}) as Properties;

export function stackEntities(stateExport: unknown): StackEntities {
  const deployment = (stateExport as { deployment?: { resources?: Fields[] } })?.deployment;
  if (!deployment || !Array.isArray(deployment.resources)) {
    throw new Error("this is not a `pulumi stack export` of a stack: it has no deployment.resources");
  }
  const entities: StackEntities = {
    catalogs: [],
    namespaces: [],
    principalRoles: [],
    principals: [],
    catalogRoles: [],
    principalRoleAssignments: [],
    catalogRoleAssignments: [],
    grants: [],
    policies: [],
    attachments: [],
  };
  for (const resource of deployment.resources) {
    // A resource waiting to be deleted (replaced, or left by a failed update) is not part of the stack.
    if (resource.delete === true) continue;
    const kind = kindOf(resource as { type?: string; urn?: string });
    if (!kind) continue;
    const out = unwrapSecrets(resource.outputs ?? {}) as Fields;
    switch (kind) {
      case "Catalog":
        entities.catalogs.push({
          name: text(out, "name"),
          type: (out.type as "INTERNAL" | "EXTERNAL" | undefined) ?? "INTERNAL",
          defaultBaseLocation: text(out, "defaultBaseLocation"),
          properties: properties(out),
          storage: (out.storage ?? {}) as Fields,
          ...(out.connectionConfig !== undefined
            ? { connectionConfig: out.connectionConfig as Fields | typeof ENCRYPTED }
            : {}),
        });
        break;
      case "Namespace":
        entities.namespaces.push({
          catalog: text(out, "catalog"),
          levels: out.levels as string[],
          properties: properties(out),
        });
        break;
      case "PrincipalRole":
        entities.principalRoles.push({ name: text(out, "name"), properties: properties(out) });
        break;
      case "Principal":
        entities.principals.push({
          name: text(out, "name"),
          properties: properties(out),
          chosenCredentials: out.credentials !== undefined && out.credentials !== null,
        });
        break;
      case "CatalogRole":
        entities.catalogRoles.push({
          catalog: text(out, "catalog"),
          name: text(out, "name"),
          properties: properties(out),
        });
        break;
      case "PrincipalRoleAssignment":
        entities.principalRoleAssignments.push({
          principal: text(out, "principal"),
          principalRole: text(out, "principalRole"),
        });
        break;
      case "CatalogRoleAssignment":
        entities.catalogRoleAssignments.push({
          catalog: text(out, "catalog"),
          catalogRole: text(out, "catalogRole"),
          principalRole: text(out, "principalRole"),
        });
        break;
      case "CatalogGrant":
        entities.grants.push({
          catalog: text(out, "catalog"),
          catalogRole: text(out, "catalogRole"),
          grant: out.grant as GrantArgs,
          authoritative: false,
        });
        break;
      case "CatalogGrantSet":
        for (const grant of Object.values((out.grants ?? {}) as Record<string, GrantArgs>)) {
          entities.grants.push({
            catalog: text(out, "catalog"),
            catalogRole: text(out, "catalogRole"),
            grant,
            authoritative: true,
          });
        }
        break;
      case "Policy":
        entities.policies.push({
          catalog: text(out, "catalog"),
          namespace: out.namespace as string[],
          name: text(out, "name"),
          type: text(out, "type"),
          ...(typeof out.description === "string" ? { description: out.description } : {}),
          content: text(out, "content"),
        });
        break;
      case "PolicyAttachment":
        entities.attachments.push({
          catalog: text(out, "catalog"),
          policyNamespace: out.policyNamespace as string[],
          policyName: text(out, "policyName"),
          target: out.target as StackEntities["attachments"][number]["target"],
        });
        break;
    }
  }
  return entities;
}
