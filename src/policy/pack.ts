import type {
  Policies,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { Rule } from "./rule";
import { adminPrivileges } from "./rules/admin-privileges";
import { bucketHardening } from "./rules/bucket-hardening";
import { exposure } from "./rules/exposure";
import { managementScope } from "./rules/management-scope";
import { namespaceGovernance } from "./rules/namespace-governance";
import { protectCatalogs } from "./rules/protect-catalogs";
import { storageSafety } from "./rules/storage-safety";
import type { PolicySubject, Violation } from "./subject";

/** Every rule of the pack, in the order the policy report lists them. */
export const RULES: readonly Rule<never>[] = [
  managementScope,
  adminPrivileges,
  bucketHardening,
  exposure,
  protectCatalogs,
  storageSafety,
  namespaceGovernance,
] as unknown as Rule<never>[];

/**
 * The rules as CrossGuard policies, each mandatory unless `--policy-pack-config` says otherwise, e.g.
 * `{ "prod-namespace-governance": { "enforcementLevel": "advisory", "prefixes": ["sales.gold"] } }`.
 */
export function policies(): Policies {
  return RULES.map((rule) => toPolicy(rule as Rule<Record<string, unknown>>));
}

function toPolicy(rule: Rule<Record<string, unknown>>): ResourceValidationPolicy | StackValidationPolicy {
  const common = {
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory" as const,
    ...(rule.configSchema ? { configSchema: rule.configSchema } : {}),
  };
  if (rule.scope === "resource") {
    return {
      ...common,
      validateResource: (args: ResourceValidationArgs, report: ReportViolation) =>
        reportAll(rule.check(subjectOf(args), args.getConfig()), report),
    };
  }
  return {
    ...common,
    validateStack: (args: StackValidationArgs, report: ReportViolation) =>
      reportAll(
        rule.check(
          args.resources.map((resource: PolicyResource) => subjectOf(resource, resource.parent?.urn)),
          args.getConfig(),
        ),
        report,
      ),
  };
}

function reportAll(violations: Violation[], report: ReportViolation) {
  for (const violation of violations) report(violation.message, violation.urn);
}

/** The fields both the engine's resource arguments and its stack resources carry. */
interface EngineResource {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  opts: { protect?: boolean };
}

function subjectOf(resource: EngineResource, parent?: string): PolicySubject {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    props: plain(resource.props) as Record<string, unknown>,
    protect: resource.opts.protect ?? false,
    ...(parent ? { parent } : {}),
  };
}

/**
 * A copy of the engine's view of a resource as plain data. The engine's proxy throws on a value that is
 * not known during preview; here such a value becomes undefined, which every rule reads as "not known
 * yet, no verdict", instead of a warning that the whole rule could not run.
 */
export function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const read = (key: string | number) => {
    try {
      return plain((value as Record<string | number, unknown>)[key]);
    } catch {
      return undefined;
    }
  };
  if (Array.isArray(value)) return Array.from({ length: value.length }, (_, index) => read(index));
  return Object.fromEntries(Object.keys(value).map((key) => [key, read(key)]));
}
