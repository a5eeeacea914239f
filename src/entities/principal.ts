/**
 * A principal (a service identity) and its client credentials. Polaris returns the client secret only
 * from create and reset, so the outputs carry it forward (the resource class marks it secret), and
 * every path that cannot know the secret (a lost create answer, an adopted principal, a rotation) resets
 * it. No Pulumi import.
 */
import { z } from "zod";
import type { ProviderImplementation } from "../dynamic/contract";
import { PolarisClient, TokenCache } from "../polaris/client";
import { isPolarisApiError } from "../polaris/client/errors";
import type { Principal, PrincipalWithCredentials } from "../polaris/client/types";
import { sameValue } from "./shared/canonical";
import { checkInputs, parseInputs } from "./shared/check";
import { commonInputs, propertiesSchema } from "./shared/common-inputs";
import { clientFor, resolveConnection } from "./shared/connection";
import { BUILT_IN, builtInMessage, entityName } from "./shared/names";
import { declaredView, OWNER_KEY, type Properties, sameProperties } from "./shared/properties";
import { createOrTakeOver, propertyDifferences } from "./shared/takeover";
import { convergeProperties } from "./shared/versioned-update";

export const schemaVersion = 1;
/** Inputs whose change replaces the entity (see dispatch: diffing inputs unknown at preview). */
export const replaceOnChange = ["name"];
export const deleteBeforeReplace = true;

export const principalInputsSchema = z.strictObject({
  ...commonInputs,
  name: entityName("principal").refine(
    (name) => name !== BUILT_IN.principal,
    builtInMessage("principal", BUILT_IN.principal),
  ),
  properties: propertiesSchema,
  /** Any value; changing it resets the credentials (a rotation). */
  rotation: z.string().optional(),
  /** Credentials to set instead of generated ones (applied with a reset right after create). */
  credentials: z
    .strictObject({
      clientId: z.string().min(1, "credentials.clientId must not be empty"),
      clientSecret: z.string().min(8, "credentials.clientSecret must be at least 8 characters"),
    })
    .optional(),
  /** Adopting a principal resets its credentials, which breaks whoever uses the current secret. */
  resetCredentialsOnAdopt: z.boolean().default(false),
});

export type PrincipalInputs = z.output<typeof principalInputsSchema>;

export interface PrincipalOutputs extends PrincipalInputs {
  clientId: string;
  clientSecret: string;
  /** The client id our secret belongs to; a different one on the server means someone reset it. */
  issuedClientId: string;
  /** False when a refresh found that Polaris no longer accepts the secret held in state. */
  credentialsAccepted: boolean;
  entityVersion: number;
}

type Impl = ProviderImplementation<PrincipalInputs, PrincipalOutputs>;

const client = (connection: unknown) => clientFor(resolveConnection(connection));

function observed(
  server: Principal,
  declared: PrincipalInputs,
  credentials: { clientId: string; clientSecret: string },
  credentialsAccepted = true,
) {
  return {
    ...declared,
    properties: declaredView(server.properties as Properties, declared.properties),
    clientId: server.clientId ?? credentials.clientId,
    clientSecret: credentials.clientSecret,
    issuedClientId: credentials.clientId,
    credentialsAccepted,
    entityVersion: server.entityVersion ?? 0,
  } satisfies PrincipalOutputs;
}

async function reset(polaris: PolarisClient, inputs: PrincipalInputs): Promise<PrincipalWithCredentials> {
  return polaris.resetPrincipalCredentials(inputs.name, inputs.credentials ?? {});
}

async function getIfExists(inputs: Pick<PrincipalInputs, "connection" | "name">) {
  try {
    return await client(inputs.connection).getPrincipal(inputs.name);
  } catch (error) {
    if (isPolarisApiError(error, 404)) return undefined;
    throw error;
  }
}

function converge(polaris: PolarisClient, previous: Properties, news: PrincipalInputs, current: Principal) {
  return convergeProperties(
    current,
    () => polaris.getPrincipal(news.name),
    { previous, declared: news.properties, owner: news.owner },
    (version, properties) =>
      polaris.updatePrincipal(news.name, { currentEntityVersion: version, properties }),
  );
}

export const check: Impl["check"] = async (_olds, news) =>
  checkInputs(principalInputsSchema, news as never) as never;

/** The credentials in state must be replaced: a rotation, other chosen ones, or a reset by someone else. */
function credentialsChange(olds: PrincipalOutputs, news: PrincipalInputs): boolean {
  return (
    olds.rotation !== news.rotation ||
    !sameValue(olds.credentials, news.credentials) ||
    olds.clientId !== olds.issuedClientId ||
    olds.credentialsAccepted === false
  );
}

export const diff: Impl["diff"] = async (_id, olds, raw) => {
  const news = parseInputs("principal", principalInputsSchema, raw);
  if (olds.name !== news.name) return { changes: true, replaces: ["name"], deleteBeforeReplace: true };
  return { changes: credentialsChange(olds, news) || !sameProperties(olds.properties, news.properties) };
};

export const create: Impl["create"] = async (raw) => {
  const inputs = parseInputs("principal", principalInputsSchema, raw);
  const polaris = client(inputs.connection);
  let issued: PrincipalWithCredentials | undefined;
  const result = await createOrTakeOver({
    kind: "principal",
    name: inputs.name,
    owner: inputs.owner,
    adopt: inputs.adopt,
    create: async () => {
      issued = await polaris.createPrincipal({
        name: inputs.name,
        properties: { ...inputs.properties, [OWNER_KEY]: inputs.owner },
      });
      return issued.principal;
    },
    get: () => getIfExists(inputs),
    properties: (principal) => principal.properties as Properties,
    differences: (principal) => propertyDifferences(principal.properties, inputs.properties),
  });
  if (result.how === "adopted" && !inputs.resetCredentialsOnAdopt) {
    throw new Error(
      `principal "${inputs.name}" exists and matches, but Polaris never returns an existing client secret, so adopting ` +
        "it means resetting its credentials, which breaks whoever uses the current ones. Set " +
        "`resetCredentialsOnAdopt: true` to accept that (optionally with `credentials` to choose the new ones).",
    );
  }
  let principal = result.entity;
  if (result.how !== "created") principal = await converge(polaris, inputs.properties, inputs, principal);
  // Chosen credentials, or an entity whose secret we cannot know (taken back after a lost answer, adopted):
  // a reset gives us credentials we hold.
  if (inputs.credentials || !issued) issued = await reset(polaris, inputs);
  const credentials = issued.credentials as { clientId: string; clientSecret: string };
  return { id: inputs.name, outs: observed(issued.principal ?? principal, inputs, credentials) };
};

export const read: Impl["read"] = async (id, props) => {
  const principal = await getIfExists(props);
  if (!principal) return {};
  const credentials = { clientId: props.issuedClientId, clientSecret: props.clientSecret };
  // A refresh checks the secret held in state with one token request of the principal's own.
  const own = new PolarisClient(
    { ...resolveConnection(props.connection), ...credentials },
    { tokenCache: new TokenCache() },
  );
  return { id, props: observed(principal, props, credentials, await own.credentialsAccepted()) };
};

export const update: Impl["update"] = async (id, olds, raw) => {
  const news = parseInputs("principal", principalInputsSchema, raw);
  const polaris = client(news.connection);
  let principal = await converge(polaris, olds.properties, news, await polaris.getPrincipal(id));
  let credentials = { clientId: olds.issuedClientId, clientSecret: olds.clientSecret };
  if (credentialsChange(olds, news)) {
    const issued = await reset(polaris, news);
    principal = issued.principal;
    credentials = issued.credentials as typeof credentials;
  }
  return { outs: observed(principal, news, credentials) };
};

export const remove: Impl["delete"] = async (id, props) => {
  try {
    await client(props.connection).deletePrincipal(id);
  } catch (error) {
    if (!isPolarisApiError(error, 404)) throw error;
  }
};
export { remove as delete };
