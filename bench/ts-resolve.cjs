// Lets Node run the benchmark's TypeScript as it is (Node strips the types): an import without an
// extension, as the type checker wants it, is resolved to the .ts file beside it.
const { registerHooks } = require("node:module");

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (/^\.\.?\//.test(specifier) && !/\.[cm]?[jt]s$/.test(specifier)) {
        return nextResolve(`${specifier}.ts`, context);
      }
      throw error;
    }
  },
});
