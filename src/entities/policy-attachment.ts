/**
 * A policy attached to the catalog, a namespace, or a table or view of the same catalog. Attaching again
 * is harmless in Polaris, so an existing attachment is simply taken over; deleting the resource detaches.
 * Polaris 1.4.1 cannot list a policy's attachments: `read` looks for the policy among those that apply to
 * the target and counts it only when it is attached there directly (`inherited: false`). No Pulumi import.
 */
import { z } from "zod";
import type { ProviderImplementation } from "../dynamic/contract";
import type { PolarisClient } from "../polaris/client";
import type { ApplicablePoliciesOptions } from "../polaris/client/client";
import { isPolarisApiError } from "../polaris/client/errors";
import type { PolicyAttachmentTarget } from "../polaris/client/types";
import { namespaceLevel, namespaceLevels, policyName } from "./policy";
import { sameValue } from "./shared/canonical";
import { checkInputs, parseInputs } from "./shared/check";
import { commonInputs } from "./shared/common-inputs";
import { clientFor, resolveConnection } from "./shared/connection";
import { entityName } from "./shared/names";

export const schemaVersion = 1;
/** Inputs whose change replaces the entity (see dispatch: diffing inputs unknown at preview). */
export const replaceOnChange = ["catalog", "policyNamespace", "policyName", "target"];
export const deleteBeforeReplace = true;

export const TARGET_TYPES = ["catalog", "namespace", "table-like"] as const;

const tableName = z
  .string({ error: "a table name must be a string" })
  .min(1, "the table name must not be empty")
  .refine((name) => !/\p{Cc}/u.test(name), "a table name must not contain control characters");

/**
 * The spec's PolicyAttachmentTarget, held to what Polaris 1.4.1 does with it: a catalog target takes no
 * path (the server ignores one, so a path given by mistake would silently attach to the whole catalog);
 * a namespace target with an empty path also lands on the catalog; a table-like target is the table's
 * (or view's) namespace levels followed by its name.
 */
const targetSchema = z
  .strictObject({
    type: z.enum(TARGET_TYPES, {
      error: `target.type must be one of ${TARGET_TYPES.join(", ")} (tables and views are both "table-like")`,
    }),
    path: z
      .array(z.string({ error: "target.path must hold strings" }), {
        error: "target.path must be a list of names",
      })
      .optional(),
  })
  .superRefine((target, context) => {
    const path = target.path ?? [];
    const issue = (message: string, at: (string | number)[] = ["path"]) =>
      context.addIssue({ code: "custom", path: at, message });
    const levels = (names: string[]) =>
      names.forEach((name, index) => {
        const parsed = namespaceLevel.safeParse(name);
        if (!parsed.success) issue(parsed.error.issues[0]!.message, ["path", index]);
      });
    switch (target.type) {
      case "catalog":
        if (path.length > 0) {
          issue(
            "a catalog target has no path: leave `path` out to attach to the whole catalog, or use " +
              '`type: "namespace"` or `type: "table-like"` for what the path names',
          );
        }
        return;
      case "namespace":
        if (path.length === 0) {
          issue('a namespace target needs `path`: the namespace\'s levels, e.g. ["sales", "emea"]');
        }
        levels(path);
        return;
      case "table-like": {
        if (path.length < 2) {
          issue(
            "a table-like target's `path` is the table's (or view's) namespace levels followed by its name, " +
              'e.g. ["sales", "orders"]',
          );
          return;
        }
        levels(path.slice(0, -1));
        const table = tableName.safeParse(path.at(-1));
        if (!table.success) issue(table.error.issues[0]!.message, ["path", path.length - 1]);
        return;
      }
    }
  })
  .transform(
    (target): PolicyAttachmentTarget =>
      target.type === "catalog" ? { type: "catalog" } : { type: target.type, path: target.path ?? [] },
  );

export const policyAttachmentInputsSchema = z.strictObject({
  connection: commonInputs.connection,
  catalog: entityName("catalog"),
  /** The namespace the policy lives in. */
  policyNamespace: namespaceLevels,
  policyName,
  target: targetSchema,
});

export type PolicyAttachmentInputs = z.output<typeof policyAttachmentInputsSchema>;

type Impl = ProviderImplementation<PolicyAttachmentInputs, PolicyAttachmentInputs>;

const client = (connection: unknown): PolarisClient => clientFor(resolveConnection(connection));

function describeTarget(target: PolicyAttachmentTarget): string {
  return target.type === "catalog" ? "the catalog" : `${target.type} ${(target.path ?? []).join(".")}`;
}

export function attachmentId(inputs: Omit<PolicyAttachmentInputs, "connection">): string {
  const policy = `${inputs.catalog}/${inputs.policyNamespace.join(".")}/${inputs.policyName}`;
  return `${policy}->${inputs.target.type}${inputs.target.path ? `:${inputs.target.path.join(".")}` : ""}`;
}

/** The applicable-policies query for a target. */
function targetQuery(target: PolicyAttachmentTarget): ApplicablePoliciesOptions {
  const path = target.path ?? [];
  switch (target.type) {
    case "catalog":
      return {};
    case "namespace":
      return { namespace: path };
    case "table-like":
      return { namespace: path.slice(0, -1), targetName: path.at(-1) };
  }
}

/** Whether the policy is attached to the target itself; undefined when the target does not exist. */
async function attachedDirectly(inputs: PolicyAttachmentInputs): Promise<boolean | undefined> {
  let applicable: Awaited<ReturnType<PolarisClient["getApplicablePolicies"]>>;
  try {
    applicable = await client(inputs.connection).getApplicablePolicies(
      inputs.catalog,
      targetQuery(inputs.target),
    );
  } catch (error) {
    if (isPolarisApiError(error, 404)) return undefined;
    throw error;
  }
  const namespace = inputs.policyNamespace.join("\u001f");
  return applicable.some(
    (policy) =>
      policy.name === inputs.policyName && policy.namespace.join("\u001f") === namespace && !policy.inherited,
  );
}

export const check: Impl["check"] = async (_olds, news) =>
  checkInputs(policyAttachmentInputsSchema, news as never) as never;

/** Any change is a new attachment; the old one goes first (a target holds one policy of each type). */
export const diff: Impl["diff"] = async (_id, olds, raw) => {
  const news = parseInputs("policy attachment", policyAttachmentInputsSchema, raw);
  const replaces = (["catalog", "policyNamespace", "policyName", "target"] as const).filter(
    (key) => !sameValue(olds[key], news[key]),
  );
  return replaces.length > 0 ? { changes: true, replaces, deleteBeforeReplace: true } : { changes: false };
};

export const create: Impl["create"] = async (raw) => {
  const inputs = parseInputs("policy attachment", policyAttachmentInputsSchema, raw);
  const { catalog, policyNamespace, policyName: name, target } = inputs;
  const policy = `policy ${name} (namespace ${policyNamespace.join(".")} of catalog ${catalog})`;
  try {
    await client(inputs.connection).attachPolicy(catalog, policyNamespace, name, target);
  } catch (error) {
    if (isPolarisApiError(error, 409)) {
      throw new Error(
        `cannot attach ${policy} to ${describeTarget(target)}: another policy of the same type is attached ` +
          `there already, and Polaris allows one policy of each inheritable type per target ` +
          `(${error.polarisMessage ?? error.message}). Detach that one first, or attach this policy elsewhere.`,
        { cause: error },
      );
    }
    if (isPolarisApiError(error, 404)) {
      throw new Error(
        `cannot attach ${policy} to ${describeTarget(target)}: ${error.polarisMessage ?? error.message}. ` +
          "Create the policy and the target first (pass the Policy resource as `policy` so Pulumi orders them).",
        { cause: error },
      );
    }
    throw error;
  }
  return { id: attachmentId(inputs), outs: inputs };
};

export const read: Impl["read"] = async (id, props) => ((await attachedDirectly(props)) ? { id, props } : {});

export const remove: Impl["delete"] = async (_id, props) => {
  try {
    await client(props.connection).detachPolicy(
      props.catalog,
      props.policyNamespace,
      props.policyName,
      props.target,
    );
  } catch (error) {
    // 404: the policy or the target is gone, and the attachment with it. Polaris 1.4.1 answers 500
    // POLICY_MAPPING_NOT_FOUND when it was detached already: success, once the listing confirms it.
    if (isPolarisApiError(error, 404)) return;
    if (isPolarisApiError(error) && (await attachedDirectly(props)) !== true) return;
    throw error;
  }
};
export { remove as delete };
