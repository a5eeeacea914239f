// Runs before `npm test`: vitest and @pulumi/pulumi need Node >= 22, and under an older Node vitest dies
// with an obscure TypeError (Map.groupBy is not a function). Say what is wrong and how to fix it instead.
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  const { version } = require("node:process");
  process.stderr.write(
    `\nerror: Node.js ${version} is too old: @pulumi/pulumi and vitest need Node >= 22\n` +
      "  fix: ./scripts/test   (it installs Node 24 into the cache and runs the suite with it),\n" +
      "       or put a Node >= 22 first on PATH: ./scripts/bootstrap node && source scripts/lib/env.sh && use_node\n\n",
  );
  process.exit(1);
}
