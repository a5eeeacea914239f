import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicySubject, Violation } from "./subject";

/**
 * One rule of the pack. A resource rule looks at one resource at a time (and runs as the engine registers
 * it); a stack rule looks at relations between resources (and runs once every resource is known).
 */
export type Rule<Config> = {
  /** The policy's name in the pack, as `--policy-pack-config` and violations show it. */
  name: string;
  /** What the rule guards against; the policy report shows it with the rule's violations. */
  description: string;
  /** The rule's settings, each with its default, as `--policy-pack-config` takes them. */
  configSchema?: PolicyConfigSchema;
} & (
  | {
      /** Looks at one resource at a time. */
      scope: "resource";
      /** The violations of one resource; none when it complies or the rule does not apply to it. */
      check(subject: PolicySubject, config: Config): Violation[];
    }
  | {
      /** Looks at the whole stack at once. */
      scope: "stack";
      /** The violations among all the stack's resources. */
      check(subjects: PolicySubject[], config: Config): Violation[];
    }
);

/** The defaults of a rule's config schema: what the rule runs with when the user configures nothing. */
export function defaultConfig<Config>(rule: Rule<Config>): Config {
  const defaults: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(rule.configSchema?.properties ?? {})) {
    defaults[key] = (schema as { default?: unknown }).default;
  }
  return defaults as Config;
}
