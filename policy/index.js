// Loads the compiled pack, so that the engine does not type-check TypeScript on every preview.
require("../dist/src/policy/main");
