/**
 * An Iceberg namespace of a catalog, at any depth, with its properties. Polaris adds properties of its own
 * (such as `location`); only declared keys are managed. No Pulumi import.
 */
import { z } from "zod";
import type { ProviderImplementation } from "../dynamic/contract";
import { isPolarisApiError } from "../polaris/client/errors";
import type { Namespace } from "../polaris/client/types";
import { checkInputs, parseInputs } from "./shared/check";
import { commonInputs, propertiesSchema } from "./shared/common-inputs";
import { clientFor, resolveConnection } from "./shared/connection";
import { entityName } from "./shared/names";
import {
  declaredView,
  OWNER_KEY,
  type Properties,
  propertyChanges,
  sameProperties,
} from "./shared/properties";
import { createOrTakeOver, propertyDifferences } from "./shared/takeover";

export const schemaVersion = 1;
/** Inputs whose change replaces the entity (see dispatch: diffing inputs unknown at preview). */
export const replaceOnChange = ["catalog", "levels"];
export const deleteBeforeReplace = true;

const level = z
  .string()
  .min(1, "a namespace level must not be empty")
  .refine((name) => !/\p{Cc}/u.test(name), "a namespace level must not contain control characters")
  .refine(
    (name) => !name.includes("."),
    'a namespace level must not contain "."; give each level separately',
  );

export const namespaceInputsSchema = z
  .strictObject({
    ...commonInputs,
    catalog: entityName("catalog"),
    /** All levels, outermost first: ["demo", "gold"] is demo.gold. */
    levels: z
      .array(level, { error: "levels must be a list of names" })
      .min(1, "levels must name at least one level"),
    properties: propertiesSchema,
    /** Set by the resource class when the parent is a declared Namespace resource. */
    parentDeclared: z.boolean().default(false),
    /** The parent exists outside this stack (made by another stack or by hand). */
    parentExists: z.boolean().default(false),
  })
  .superRefine((inputs, context) => {
    if (inputs.levels.length > 1 && !inputs.parentDeclared && !inputs.parentExists) {
      const parent = inputs.levels.slice(0, -1).join(".");
      context.addIssue({
        code: "custom",
        path: ["parent"],
        message:
          `namespace ${inputs.levels.join(".")} needs its parent ${parent}: declare it and pass it as \`parent\`, ` +
          "or set `parentExists: true` if it is made outside this stack",
      });
    }
  });

export type NamespaceInputs = z.output<typeof namespaceInputsSchema>;

export interface NamespaceOutputs extends NamespaceInputs {
  /** The namespace's levels joined with dots, as engines write it. */
  path: string;
  /** Where Polaris places its tables unless they say otherwise (server-filled). */
  location?: string;
}

type Impl = ProviderImplementation<NamespaceInputs, NamespaceOutputs>;

const client = (connection: unknown) => clientFor(resolveConnection(connection));
const namespaceId = (inputs: Pick<NamespaceInputs, "catalog" | "levels">) =>
  `${inputs.catalog}/${inputs.levels.join(".")}`;

function observed(server: Namespace, declared: NamespaceInputs): NamespaceOutputs {
  const properties = (server.properties ?? {}) as Properties;
  return {
    ...declared,
    properties: declaredView(properties, declared.properties),
    path: declared.levels.join("."),
    ...(properties.location ? { location: properties.location } : {}),
  };
}

async function getIfExists(inputs: Pick<NamespaceInputs, "connection" | "catalog" | "levels">) {
  try {
    return await client(inputs.connection).getNamespace(inputs.catalog, inputs.levels);
  } catch (error) {
    if (isPolarisApiError(error, 404)) return undefined;
    throw error;
  }
}

export const check: Impl["check"] = async (_olds, news) =>
  checkInputs(namespaceInputsSchema, news as never) as never;

export const diff: Impl["diff"] = async (_id, olds, raw) => {
  const news = parseInputs("namespace", namespaceInputsSchema, raw);
  const replaces = [
    ...(olds.catalog !== news.catalog ? ["catalog"] : []),
    ...(olds.levels.join("\u001f") !== news.levels.join("\u001f") ? ["levels"] : []),
  ];
  if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true };
  return { changes: !sameProperties(olds.properties, news.properties) };
};

async function converge(previous: Properties, news: NamespaceInputs, current: Namespace): Promise<Namespace> {
  const server = (current.properties ?? {}) as Properties;
  const change = propertyChanges(server, previous, { ...news.properties, [OWNER_KEY]: news.owner });
  if (change.removals.length === 0 && Object.keys(change.updates).length === 0) return current;
  const polaris = client(news.connection);
  await polaris.updateNamespaceProperties(news.catalog, news.levels, change);
  return polaris.getNamespace(news.catalog, news.levels);
}

export const create: Impl["create"] = async (raw) => {
  const inputs = parseInputs("namespace", namespaceInputsSchema, raw);
  const polaris = client(inputs.connection);
  let result: Awaited<ReturnType<typeof createOrTakeOver<Namespace>>>;
  try {
    result = await createOrTakeOver({
      kind: "namespace",
      name: `${inputs.catalog}.${inputs.levels.join(".")}`,
      owner: inputs.owner,
      adopt: inputs.adopt,
      create: () =>
        polaris.createNamespace(inputs.catalog, inputs.levels, {
          ...inputs.properties,
          [OWNER_KEY]: inputs.owner,
        }),
      get: () => getIfExists(inputs),
      properties: (namespace) => namespace.properties as Properties,
      differences: (namespace) => propertyDifferences(namespace.properties as Properties, inputs.properties),
    });
  } catch (error) {
    if (isPolarisApiError(error, 404) && inputs.levels.length > 1) {
      throw new Error(
        `namespace ${inputs.levels.join(".")} cannot be created in catalog ${inputs.catalog}: its parent ` +
          `${inputs.levels.slice(0, -1).join(".")} does not exist (${error.polarisMessage ?? error.message}). ` +
          "Declare the parent in this stack, or create it before this one.",
        { cause: error },
      );
    }
    throw error;
  }
  const namespace =
    result.how === "created" ? result.entity : await converge(inputs.properties, inputs, result.entity);
  return { id: namespaceId(inputs), outs: observed(namespace, inputs) };
};

export const read: Impl["read"] = async (id, props) => {
  const namespace = await getIfExists(props);
  return namespace ? { id, props: observed(namespace, props) } : {};
};

export const update: Impl["update"] = async (_id, olds, raw) => {
  const news = parseInputs("namespace", namespaceInputsSchema, raw);
  const current = await client(news.connection).getNamespace(news.catalog, news.levels);
  return { outs: observed(await converge(olds.properties, news, current), news) };
};

export const remove: Impl["delete"] = async (_id, props) => {
  try {
    await client(props.connection).deleteNamespace(props.catalog, props.levels);
  } catch (error) {
    if (isPolarisApiError(error, 404)) return;
    if (isPolarisApiError(error, 409) || isPolarisApiError(error, 400)) {
      throw new Error(
        `namespace ${props.levels.join(".")} in catalog ${props.catalog} is not empty, so Polaris keeps it ` +
          `(${error.polarisMessage ?? error.message}). Drop its tables, views and child namespaces first; to keep ` +
          "it instead, set the resource option `retainOnDelete: true` (or `protect: true`).",
        { cause: error },
      );
    }
    throw error;
  }
};
export { remove as delete };
