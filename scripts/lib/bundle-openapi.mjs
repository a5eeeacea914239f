// Bundles a multi-file OpenAPI document (one whose $refs point into other files) into one YAML file, so
// that the type generator reads the Polaris catalog API exactly as the 1.4.1 specs describe it.
//   node scripts/lib/bundle-openapi.mjs <root spec> <output file>
import { writeFileSync } from "node:fs";
import { bundle, loadConfig, stringifyYaml } from "@redocly/openapi-core";

const [root, output] = process.argv.slice(2);
if (!root || !output) {
  console.error("usage: node scripts/lib/bundle-openapi.mjs <root spec> <output file>");
  process.exit(2);
}
const result = await bundle({ ref: root, config: await loadConfig({}), dereference: false });
const errors = result.problems.filter((problem) => problem.severity === "error");
if (errors.length > 0) {
  for (const problem of errors) console.error(`${root}: ${problem.message}`);
  process.exit(1);
}
writeFileSync(output, stringifyYaml(result.bundle.parsed, { noRefs: true, lineWidth: -1 }));
