/**
 * A policy of a catalog, living in a namespace: one of the maintenance policy types that Polaris 1.4.1
 * knows, with a JSON content that the server validates. Policies have no properties, so they carry no
 * ownership marker: a policy left by this resource's own interrupted create is recognized by identity
 * instead (see `isOwnResidue`). No Pulumi import.
 *
 * Content is held as canonical JSON (keys sorted, no whitespace) from `check` on, so neither the key order
 * nor the formatting of what is declared, or of what Polaris holds, ever shows as a change.
 */
import { z } from "zod";
import type { ProviderImplementation } from "../dynamic/contract";
import type { PolarisClient } from "../polaris/client";
import { isPolarisApiError } from "../polaris/client/errors";
import type { Policy } from "../polaris/client/types";
import { checkInputs, parseInputs } from "./shared/check";
import { commonInputs } from "./shared/common-inputs";
import { clientFor, resolveConnection } from "./shared/connection";
import { entityName } from "./shared/names";
import { createOrTakeOver, describeDifferences } from "./shared/takeover";
import { containsUnknown } from "./shared/unknown";
import { retryOnVersionConflict } from "./shared/versioned-update";

export const schemaVersion = 1;
/** Inputs whose change replaces the entity (see dispatch: diffing inputs unknown at preview). */
export const replaceOnChange = ["catalog", "namespace", "name", "type"];
export const deleteBeforeReplace = true;

/** The policy types of Polaris 1.4.1; it answers any other type with 400 "Unknown policy type: <type>". */
export const POLICY_TYPES = [
  "system.data-compaction",
  "system.metadata-compaction",
  "system.orphan-file-removal",
  "system.snapshot-expiry",
] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

/** The only content schema version of every 1.4.1 type; a content without `version` gets this one. */
export const CONTENT_VERSION = "2025-02-03";

// The same rules as a Namespace resource's levels.
export const namespaceLevel = z
  .string({ error: "a namespace level must be a string" })
  .min(1, "a namespace level must not be empty")
  .refine((name) => !/\p{Cc}/u.test(name), "a namespace level must not contain control characters")
  .refine(
    (name) => !name.includes("."),
    'a namespace level must not contain "."; give each level separately',
  );
export const namespaceLevels = z
  .array(namespaceLevel, { error: "namespace must be a list of levels, outermost first" })
  .min(1, "namespace must name at least one level");

/** The 1.4.1 spec's PolicyName pattern; the server answers 400 to anything else. */
export const policyName = z
  .string({ error: "policy name must be a string" })
  .min(1, "policy name must not be empty")
  .max(256, "policy name must be at most 256 characters")
  .regex(
    /^[A-Za-z0-9_-]+$/,
    "policy name may hold only letters, digits, '-' and '_' (Polaris' PolicyName pattern)",
  );

const policyType = z.string({ error: "type must be a string" }).superRefine((type, context) => {
  if ((POLICY_TYPES as readonly string[]).includes(type)) return;
  const known = POLICY_TYPES.join(", ");
  const wellFormed = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/.test(type);
  context.addIssue({
    code: "custom",
    message: !wellFormed
      ? `"${type}" is not a policy type name: types are lower-case dotted names such as system.data-compaction (Polaris 1.4.1 knows ${known})`
      : type.startsWith("system.")
        ? `"${type}" is not a built-in policy type; Polaris 1.4.1 knows ${known}`
        : `custom policy types such as "${type}" are not supported by Polaris 1.4.1 (it answers 400 "Unknown policy type"); use one of ${known}`,
  });
});

/** The content as given: a JSON string, or an object (or other JSON value) that is serialized here. */
const contentInput = z.union([z.string(), z.record(z.string(), z.unknown())], {
  error: "content must be a JSON string or an object",
});

export const policyInputsSchema = z
  .strictObject({
    connection: commonInputs.connection,
    adopt: commonInputs.adopt,
    catalog: entityName("catalog"),
    /** The namespace the policy lives in, outermost level first. */
    namespace: namespaceLevels,
    name: policyName,
    type: policyType,
    /** Left out: Polaris holds none (and one set by hand is cleared at the next update). */
    description: z.string({ error: "description must be a string" }).optional(),
    content: contentInput,
  })
  .superRefine((inputs, context) => {
    for (const problem of contentProblems(inputs.type, inputs.content)) {
      context.addIssue({ code: "custom", path: problem.path, message: problem.message });
    }
  })
  .transform((inputs) => ({ ...inputs, content: canonicalContent(inputs.content) }));

export type PolicyInputs = z.output<typeof policyInputsSchema>;

export interface PolicyOutputs extends PolicyInputs {
  /** Polaris' version of the policy: 0 when created, one more at each update. */
  policyVersion: number;
  /** Whether the policy applies to the children of what it is attached to (all 1.4.1 types are). */
  inheritable: boolean;
}

type Impl = ProviderImplementation<PolicyInputs, PolicyOutputs>;
type Problem = { path: (string | number)[]; message: string };

// ---------------------------------------------------------------------------------------------------------
// Content: JSON syntax with its position, the built-in types' rules, canonical form

/**
 * Why `text` is not JSON, with the line, column and offset of the first problem; undefined when it is.
 * (JSON.parse gives a position for some errors only.)
 */
export function jsonSyntaxError(text: string): string | undefined {
  let at = 0;
  const fail = (what: string): never => {
    const before = text.slice(0, at);
    const line = before.split("\n").length;
    const column = at - before.lastIndexOf("\n");
    const found = at < text.length ? `found ${JSON.stringify(text[at])}` : "found the end of the text";
    throw new SyntaxError(`${what} at line ${line}, column ${column} (offset ${at}); ${found}`);
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[at] !== char) fail(`expected ${word}`);
      at++;
    }
  };
  const string = () => {
    at++; // the opening quote
    for (;;) {
      if (at >= text.length) fail("unterminated string");
      const char = text[at]!;
      if (char === '"') {
        at++;
        return;
      }
      if (char.charCodeAt(0) < 0x20) fail("control character in a string (write it as an escape)");
      if (char === "\\") {
        at++;
        const escaped = text[at];
        if (escaped === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail("expected 4 hex digits after \\u");
          at += 5;
        } else if (escaped !== undefined && '"\\/bfnrt'.includes(escaped)) at++;
        else fail("invalid escape in a string");
      } else at++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match || match[0] === "-") fail("invalid number");
    at += match![0].length;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === "{") {
      at++;
      space();
      if (text[at] === "}") {
        at++;
        return;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail("expected a property name in double quotes");
        string();
        space();
        if (text[at] !== ":") fail("expected ':' after the property name");
        at++;
        value();
        space();
        if (text[at] === ",") {
          at++;
          continue;
        }
        if (text[at] === "}") {
          at++;
          return;
        }
        fail("expected ',' or '}' after a property value");
      }
    }
    if (char === "[") {
      at++;
      space();
      if (text[at] === "]") {
        at++;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[at] === ",") {
          at++;
          continue;
        }
        if (text[at] === "]") {
          at++;
          return;
        }
        fail("expected ',' or ']' after an array element");
      }
    }
    if (char === '"') string();
    else if (char === "t") literal("true");
    else if (char === "f") literal("false");
    else if (char === "n") literal("null");
    else if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) number();
    else fail("expected a JSON value");
  };
  try {
    value();
    space();
    if (at < text.length) fail("unexpected text after the JSON value");
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The JSON value of content given as a string or an object; undefined when the string is not JSON. */
function contentValue(content: unknown): unknown {
  if (typeof content !== "string") return content;
  if (jsonSyntaxError(content) !== undefined) return undefined;
  return JSON.parse(content);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Keys sorted at every level, so that equal JSON values serialize to equal text. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

/**
 * The canonical JSON text of content (keys sorted, no whitespace), or the text itself when it is not JSON
 * (a content set by hand that way), or the value untouched while it is not known yet (preview).
 */
export function canonicalContent(content: unknown): string {
  if (containsUnknown(content)) return content as string;
  if (typeof content === "string" && jsonSyntaxError(content) !== undefined) return content;
  return JSON.stringify(sortKeys(contentValue(content)));
}

/** Whether two contents are the same JSON value, whatever their key order and formatting. */
export function sameContent(a: string | undefined, b: string | undefined): boolean {
  return canonicalContent(a ?? "") === canonicalContent(b ?? "");
}

const scalar = (value: unknown) => value === null || ["string", "number", "boolean"].includes(typeof value);

/**
 * What Polaris 1.4.1 requires of a built-in type's content, as its validator (polaris-core
 * `BaseMaintenancePolicyContent` and subclasses, parsed by Jackson) and its published JSON schemas
 * (`schemas/policies/system/<type>/2025-02-03.json`) have it: a JSON object with a boolean `enable`; an
 * optional `version`, which must then be "2025-02-03"; an optional `config` map of scalar values; for
 * orphan-file-removal also `max_orphan_file_age_in_days` (>= 0) and `locations` (strings); no other key.
 */
function contentProblems(type: string, content: unknown): Problem[] {
  if (containsUnknown(content) || containsUnknown(type)) return [];
  if (typeof content === "string") {
    if (content.trim() === "")
      return [{ path: ["content"], message: 'content must not be empty (Polaris: "Policy is empty")' }];
    const syntax = jsonSyntaxError(content);
    if (syntax !== undefined) return [{ path: ["content"], message: `content is not valid JSON: ${syntax}` }];
  }
  if (!(POLICY_TYPES as readonly string[]).includes(type)) return [];
  const value = contentValue(content);
  if (!isObject(value)) {
    return [{ path: ["content"], message: `the content of a ${type} policy must be a JSON object` }];
  }
  const problems: Problem[] = [];
  const field = (key: string, message: string) => problems.push({ path: ["content", key], message });
  const allowed = ["version", "enable", "config"];
  if (type === "system.orphan-file-removal") allowed.push("max_orphan_file_age_in_days", "locations");

  if (!("enable" in value)) field("enable", `content.enable is required for ${type} (true or false)`);
  else if (typeof value.enable !== "boolean") field("enable", "content.enable must be true or false");
  const version = value.version;
  if (version !== undefined && version !== null && version !== "" && version !== CONTENT_VERSION) {
    field(
      "version",
      `content.version must be "${CONTENT_VERSION}", the only version Polaris 1.4.1 knows for ${type} ` +
        `(or left out), not ${JSON.stringify(version)}`,
    );
  }
  const config = value.config;
  if (config !== undefined && config !== null) {
    if (!isObject(config))
      field("config", "content.config must be an object of string, number or boolean values");
    else {
      for (const [key, entry] of Object.entries(config)) {
        if (!scalar(entry)) {
          field(
            "config",
            `content.config.${key} must be a string, number or boolean, not ${JSON.stringify(entry)}`,
          );
        }
      }
    }
  }
  if (type === "system.orphan-file-removal") {
    const age = value.max_orphan_file_age_in_days;
    if (age !== undefined && (typeof age !== "number" || age < 0 || age > 2 ** 31 - 1)) {
      field(
        "max_orphan_file_age_in_days",
        "content.max_orphan_file_age_in_days must be a number of days >= 0",
      );
    }
    const locations = value.locations;
    if (
      locations !== undefined &&
      locations !== null &&
      !(Array.isArray(locations) && locations.every((entry) => typeof entry === "string"))
    ) {
      field("locations", "content.locations must be a list of location strings");
    }
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      field(key, `content.${key} is not a field of ${type}; its fields are ${allowed.join(", ")}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Provider functions

const client = (connection: unknown): PolarisClient => clientFor(resolveConnection(connection));
const policyId = (inputs: Pick<PolicyInputs, "catalog" | "namespace" | "name">) =>
  `${inputs.catalog}/${inputs.namespace.join(".")}/${inputs.name}`;
const sameDescription = (a: string | undefined, b: string | undefined) => (a ?? "") === (b ?? "");

/** The server's content and description where they differ from the declaration, so that drift shows. */
function observed(server: Policy, declared: PolicyInputs): PolicyOutputs {
  const content = server.content ?? "";
  const description = sameDescription(server.description, declared.description)
    ? declared.description
    : server.description;
  return {
    ...declared,
    content: sameContent(content, declared.content) ? declared.content : canonicalContent(content),
    // Left out when there is none: the dynamic provider host cannot send an undefined value back.
    ...(description !== undefined && description !== null ? { description } : {}),
    policyVersion: server.version,
    inheritable: server.inheritable,
  };
}

async function getIfExists(inputs: Pick<PolicyInputs, "connection" | "catalog" | "namespace" | "name">) {
  try {
    return await client(inputs.connection).getPolicy(inputs.catalog, inputs.namespace, inputs.name);
  } catch (error) {
    if (isPolarisApiError(error, 404)) return undefined;
    throw error;
  }
}

/** "content.enable: Polaris has true, declared false" lines, key by key when both contents are objects. */
function contentDifferences(existing: string | undefined, declared: string): string[] {
  const have = contentValue(canonicalContent(existing ?? ""));
  const want = contentValue(declared);
  if (!isObject(have) || !isObject(want)) return describeDifferences([["content", existing, declared]]);
  const keys = [...new Set([...Object.keys(have), ...Object.keys(want)])].sort();
  return describeDifferences(keys.map((key) => [`content.${key}`, have[key], want[key]] as const));
}

function differences(policy: Policy, inputs: PolicyInputs): string[] {
  return [
    ...describeDifferences([["type", policy["policy-type"], inputs.type]]),
    ...contentDifferences(policy.content, inputs.content),
  ];
}

/**
 * Whether an existing policy is what this resource's own create left behind when the run was interrupted
 * after Polaris applied it but before Pulumi recorded it (a killed `pulumi up`, a lost answer). With no
 * marker to read, identity stands in for it: the same type, description and content, at version 0.
 *
 * Why that is safe: such a create leaves exactly this, so nothing else is needed to recognize it; taking it
 * back writes nothing, since the policy already is what the declaration asks for; version 0 means nobody has
 * changed it since it was created, so a policy someone made and then edited is never taken; and it is the
 * very match that `adopt: true` accepts. What identity cannot tell is a policy that someone else created
 * identically under the same name in the same namespace: that one ends up managed by this stack, as if
 * adopted (and its destroy deletes it). Two declarations of one policy would overwrite each other anyway.
 */
function isOwnResidue(policy: Policy, inputs: PolicyInputs): boolean {
  return (
    policy.version === 0 &&
    differences(policy, inputs).length === 0 &&
    sameDescription(policy.description, inputs.description)
  );
}

/** Brings description and content to the declared ones with one versioned write, or none. */
function converge(news: PolicyInputs, current: Policy): Promise<Policy> {
  const polaris = client(news.connection);
  return retryOnVersionConflict(
    current,
    () => polaris.getPolicy(news.catalog, news.namespace, news.name),
    (latest) => {
      if (
        sameContent(latest.content, news.content) &&
        sameDescription(latest.description, news.description)
      ) {
        return undefined;
      }
      // Polaris replaces both fields, so both are always sent.
      return polaris.updatePolicy(news.catalog, news.namespace, news.name, {
        "current-policy-version": latest.version,
        content: news.content,
        ...(news.description !== undefined ? { description: news.description } : {}),
      });
    },
  );
}

export const check: Impl["check"] = async (_olds, news) =>
  checkInputs(policyInputsSchema, news as never) as never;

export const diff: Impl["diff"] = async (_id, olds, raw) => {
  const news = parseInputs("policy", policyInputsSchema, raw);
  const replaces = [
    ...(olds.catalog !== news.catalog ? ["catalog"] : []),
    ...(olds.namespace.join("\u001f") !== news.namespace.join("\u001f") ? ["namespace"] : []),
    ...(olds.name !== news.name ? ["name"] : []),
    ...(olds.type !== news.type ? ["type"] : []),
  ];
  if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: true };
  return {
    changes: !sameContent(olds.content, news.content) || !sameDescription(olds.description, news.description),
  };
};

export const create: Impl["create"] = async (raw) => {
  const inputs = parseInputs("policy", policyInputsSchema, raw);
  const polaris = client(inputs.connection);
  const request = {
    name: inputs.name,
    type: inputs.type,
    content: inputs.content,
    ...(inputs.description !== undefined ? { description: inputs.description } : {}),
  };
  let result: Awaited<ReturnType<typeof createOrTakeOver<Policy>>>;
  try {
    result = await createOrTakeOver({
      kind: "policy",
      name: `${inputs.name}" in namespace "${inputs.namespace.join(".")}" of catalog "${inputs.catalog}`,
      owner: policyId(inputs), // not read: with no marker, isOwn decides
      adopt: inputs.adopt,
      create: () => polaris.createPolicy(inputs.catalog, inputs.namespace, request),
      get: () => getIfExists(inputs),
      properties: () => undefined,
      isOwn: (policy) => isOwnResidue(policy, inputs),
      differences: (policy) => differences(policy, inputs),
    });
  } catch (error) {
    if (isPolarisApiError(error, 404)) {
      throw new Error(
        `policy ${inputs.name} cannot be created: namespace ${inputs.namespace.join(".")} does not exist in ` +
          `catalog ${inputs.catalog} (${error.polarisMessage ?? error.message}). Declare the namespace (and pass ` +
          "its `levels`, or the Namespace itself, as `namespace`), or create it before this stack.",
      );
    }
    throw error;
  }
  const policy = result.how === "created" ? result.entity : await converge(inputs, result.entity);
  return { id: policyId(inputs), outs: observed(policy, inputs) };
};

export const read: Impl["read"] = async (id, props) => {
  const policy = await getIfExists(props);
  return policy ? { id, props: observed(policy, props) } : {};
};

export const update: Impl["update"] = async (_id, _olds, raw) => {
  const news = parseInputs("policy", policyInputsSchema, raw);
  const current = await client(news.connection).getPolicy(news.catalog, news.namespace, news.name);
  return { outs: observed(await converge(news, current), news) };
};

/**
 * Drops the policy with its attachments (`detach-all`): they cannot outlive it, and PolicyAttachment
 * resources of this stack are destroyed first anyway, since they depend on the policy.
 */
export const remove: Impl["delete"] = async (_id, props) => {
  try {
    await client(props.connection).deletePolicy(props.catalog, props.namespace, props.name, {
      detachAll: true,
    });
  } catch (error) {
    if (!isPolarisApiError(error, 404)) throw error;
  }
};
export { remove as delete };
