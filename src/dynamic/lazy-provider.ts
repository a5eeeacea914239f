import type * as pulumi from "@pulumi/pulumi";

/**
 * Builds a dynamic provider whose every method loads its implementation with `require(modulePath)` when
 * it is called.
 *
 * Pulumi serializes a dynamic provider into state as source text, together with everything the
 * functions capture. Capturing module-level imports (zod schemas, the HTTP client) would drag whole
 * module graphs into state, or fail to serialize. Here the only captured value is the module path, so
 * the serialized provider stays a few hundred bytes, and the code that runs is always the installed
 * library's. `modulePath` must be resolvable from the Pulumi project's directory, e.g.
 * `polaris-pulumi/testing/marker-file`.
 */
export function lazyProvider(modulePath: string): pulumi.dynamic.ResourceProvider {
  return {
    async check(olds, news) {
      const impl = require(modulePath);
      return impl.check ? impl.check(olds, news) : { inputs: news };
    },
    async diff(id, olds, news) {
      const impl = require(modulePath);
      return impl.diff ? impl.diff(id, olds, news) : {};
    },
    async create(inputs) {
      return require(modulePath).create(inputs);
    },
    async read(id, props) {
      const impl = require(modulePath);
      return impl.read ? impl.read(id, props) : { id, props };
    },
    async update(id, olds, news) {
      return require(modulePath).update(id, olds, news);
    },
    async delete(id, props) {
      const impl = require(modulePath);
      if (impl.delete) await impl.delete(id, props);
    },
  };
}
