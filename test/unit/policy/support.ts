import { defaultConfig, type PolicySubject, RULES, type Violation } from "../../../src/policy";
import type { Engine, Registration } from "../platform/support/program";

/** A registration recorded under mocks, as the policy engine would show it to a rule. */
export function subjectOf(registration: Registration): PolicySubject {
  return {
    type: registration.type,
    name: registration.name,
    urn: registration.urn,
    props: registration.inputs as Record<string, unknown>,
    protect: registration.protect ?? false,
    ...(registration.parent ? { parent: registration.parent } : {}),
  };
}

export function subjectsOf(engine: Engine): PolicySubject[] {
  return engine.registrations.map(subjectOf);
}

/** Every rule of the pack with its default config (or an override), as `pulumi preview --policy-pack` runs them. */
export function evaluate(
  subjects: PolicySubject[],
  overrides: Record<string, Record<string, unknown>> = {},
): (Violation & { rule: string })[] {
  const found: (Violation & { rule: string })[] = [];
  for (const rule of RULES) {
    const config = { ...(defaultConfig(rule) as object), ...overrides[rule.name] } as never;
    const violations =
      rule.scope === "resource"
        ? subjects.flatMap((subject) => rule.check(subject, config))
        : rule.check(subjects, config);
    found.push(...violations.map((violation) => ({ ...violation, rule: rule.name })));
  }
  return found;
}

/** A copy of a subject with some inputs replaced, deep at a path. */
export function withProps(subject: PolicySubject, path: string[], value: unknown): PolicySubject {
  const props = structuredClone(subject.props);
  let target = props as Record<string, unknown>;
  for (const step of path.slice(0, -1)) {
    target[step] = (target[step] as Record<string, unknown> | undefined) ?? {};
    target = target[step] as Record<string, unknown>;
  }
  target[path[path.length - 1]!] = value;
  return { ...subject, props };
}
