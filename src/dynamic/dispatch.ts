/**
 * Runs one provider method of an implementation module, on behalf of the tiny serialized provider that
 * `lazyProvider` builds. Living here rather than in the serialized closure, this logic ships with the
 * installed library instead of being frozen into every resource's state.
 *
 * It supplies the defaults of optional methods and versions the state: every output carries
 * `__schemaVersion`, and state written by an older version of an implementation is passed through the
 * module's `migrate` before any other method sees it.
 */

import { sameValue } from "../entities/shared/canonical";
import { containsUnknown } from "../entities/shared/unknown";
import { type StackConfig, setStackConfig } from "./stack-config";

export const SCHEMA_VERSION_KEY = "__schemaVersion";

export type ProviderMethod = "check" | "diff" | "create" | "read" | "update" | "delete";

interface Implementation {
  schemaVersion?: number;
  /** Inputs whose change replaces the entity; used to diff inputs that are not known yet at preview. */
  replaceOnChange?: readonly string[];
  /** Whether a replacement deletes the old entity first (Polaris names are unique). */
  deleteBeforeReplace?: boolean;
  migrate?(props: Record<string, unknown>, fromVersion: number): Record<string, unknown>;
  [method: string]: unknown;
}

type Props = Record<string, unknown>;

function currentVersion(impl: Implementation): number {
  return impl.schemaVersion ?? 1;
}

function stamp(impl: Implementation, outs: Props | undefined): Props | undefined {
  return outs === undefined ? undefined : { ...outs, [SCHEMA_VERSION_KEY]: currentVersion(impl) };
}

/** Inputs as the user declared them: without the host's `__provider` and our `__schemaVersion`. */
function declared(inputs: Props): Props {
  return Object.fromEntries(Object.entries(inputs ?? {}).filter(([key]) => !key.startsWith("__")));
}

/** Brings stored outputs up to the implementation's schema version. */
export function upgrade(impl: Implementation, props: Props): Props {
  const stored = typeof props[SCHEMA_VERSION_KEY] === "number" ? (props[SCHEMA_VERSION_KEY] as number) : 1;
  const target = currentVersion(impl);
  if (stored > target) {
    throw new Error(
      `this resource's state was written by a newer polaris-pulumi (state schema ${stored}, this version knows ` +
        `${target}). Upgrade the polaris-pulumi package in this project before running Pulumi on it.`,
    );
  }
  if (stored === target || !impl.migrate) return props;
  return impl.migrate(props, stored);
}

export async function dispatch(
  modulePath: string,
  method: ProviderMethod,
  args: unknown[],
): Promise<unknown> {
  const impl = require(modulePath) as Implementation;
  const call = (name: string, ...callArgs: unknown[]) =>
    (impl[name] as (...a: unknown[]) => Promise<unknown>)(...callArgs);
  switch (method) {
    case "check": {
      const [olds, news] = args as [Props, Props];
      return impl.check ? call("check", declared(olds), declared(news)) : { inputs: news };
    }
    case "diff": {
      const [id, olds, news] = args as [string, Props, Props];
      if (impl.replaceOnChange && containsUnknown(declared(news)))
        return diffWithUnknowns(impl, olds, declared(news));
      return impl.diff ? call("diff", id, upgrade(impl, olds), declared(news)) : {};
    }
    case "create": {
      const result = (await call("create", declared(args[0] as Props))) as { id: string; outs?: Props };
      return { ...result, outs: stamp(impl, result.outs ?? {}) };
    }
    case "read": {
      const [id, props] = args as [string, Props];
      if (!impl.read) return { id, props };
      const result = (await call("read", id, upgrade(impl, props))) as { id?: string; props?: Props };
      return result.id ? { ...result, props: stamp(impl, result.props) } : {};
    }
    case "update": {
      const [id, olds, news] = args as [string, Props, Props];
      const result = (await call("update", id, upgrade(impl, olds), declared(news))) as { outs?: Props };
      return { ...result, outs: stamp(impl, result.outs ?? {}) };
    }
    case "delete": {
      const [id, props] = args as [string, Props];
      if (impl.delete) await call("delete", id, upgrade(impl, props));
      return undefined;
    }
  }
}

/**
 * At preview, an input may depend on a resource that is itself being created or replaced, so its value is
 * not known yet. Such inputs cannot be validated, so this answers conservatively: an update, or a
 * replacement when an input that forces one is unknown or differs. `create`/`update` validate once known.
 */
function diffWithUnknowns(impl: Implementation, olds: Props, news: Props) {
  const replaces = (impl.replaceOnChange ?? []).filter(
    (key) => containsUnknown(news[key]) || !sameValue(olds[key], news[key]),
  );
  return replaces.length > 0
    ? { changes: true, replaces, deleteBeforeReplace: impl.deleteBeforeReplace ?? false }
    : { changes: true };
}

/** Keeps the stack config the host passes once per provider process, for connections set in config. */
export async function configure(request: { config: StackConfig }): Promise<void> {
  setStackConfig(request.config);
}
