import type * as pulumi from "@pulumi/pulumi";

/**
 * Builds a dynamic provider whose every method hands its arguments to `dispatch`
 * (src/dynamic/dispatch.ts), which loads the implementation module `modulePath` by package name.
 *
 * Pulumi serializes a dynamic provider into state as source text, together with everything its functions
 * capture. Capturing module-level imports (zod schemas, the HTTP client) would drag whole module graphs
 * into state, or fail to serialize. Here the only captured value is the module path, so the serialized
 * provider stays small, and the code that runs is always the installed library's. `modulePath` must be
 * resolvable from the Pulumi project's directory, e.g. `polaris-pulumi/testing/marker-file`.
 */
export function lazyProvider(modulePath: string): pulumi.dynamic.ResourceProvider {
  // One provider object per module path: the SDK caches the serialized provider by object identity, and
  // serializing a closure is costly. With a new object per resource, a program of 621 resources spent
  // a third of its CPU and 380 MiB serializing the same text again (a preview, measured here).
  let provider = providers.get(modulePath);
  if (!provider) {
    provider = build(modulePath);
    providers.set(modulePath, provider);
  }
  return provider;
}

const providers = new Map<string, pulumi.dynamic.ResourceProvider>();

function build(modulePath: string): pulumi.dynamic.ResourceProvider {
  return {
    configure: async (request) => require("polaris-pulumi/dynamic/dispatch").configure(request),
    check: (...args) => require("polaris-pulumi/dynamic/dispatch").dispatch(modulePath, "check", args),
    diff: (...args) => require("polaris-pulumi/dynamic/dispatch").dispatch(modulePath, "diff", args),
    create: (...args) => require("polaris-pulumi/dynamic/dispatch").dispatch(modulePath, "create", args),
    read: (...args) => require("polaris-pulumi/dynamic/dispatch").dispatch(modulePath, "read", args),
    update: (...args) => require("polaris-pulumi/dynamic/dispatch").dispatch(modulePath, "update", args),
    delete: (...args) => require("polaris-pulumi/dynamic/dispatch").dispatch(modulePath, "delete", args),
  };
}
