// MarkerFile's implementation: a dynamic resource that owns one file on the local disk. It exists to prove
// the toolchain end to end: the real `pulumi` CLI serializes the lazily loading provider, runs create,
// read, diff, update and delete in the dynamic-provider host, and a test sees the effect on disk. Plain
// JavaScript, because the provider host loads it by path without a TypeScript compiler.
const { createHash } = require("node:crypto");
const { readFile, rm, writeFile } = require("node:fs/promises");
const { isAbsolute } = require("node:path");

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

async function write(inputs) {
  await writeFile(inputs.path, inputs.content, { flag: "w" });
  return { path: inputs.path, content: inputs.content, sha256: sha256(inputs.content) };
}

exports.check = async (_olds, news) => {
  const failures = [];
  if (typeof news.path !== "string" || !isAbsolute(news.path)) {
    failures.push({
      property: "path",
      reason: `path must be an absolute file path, got ${JSON.stringify(news.path)}`,
    });
  }
  if (typeof news.content !== "string")
    failures.push({ property: "content", reason: "content must be a string" });
  return failures.length > 0 ? { failures } : { inputs: { path: news.path, content: news.content } };
};

exports.diff = async (_id, olds, news) => {
  const replaces = olds.path === news.path ? [] : ["path"];
  return {
    changes: replaces.length > 0 || olds.content !== news.content,
    replaces,
    deleteBeforeReplace: true,
  };
};

exports.create = async (inputs) => ({ id: inputs.path, outs: await write(inputs) });

exports.read = async (id, props) => {
  try {
    const content = await readFile(id, "utf8");
    return { id, props: { ...props, path: id, content, sha256: sha256(content) } };
  } catch (error) {
    if (error.code === "ENOENT") return {};
    throw error;
  }
};

exports.update = async (_id, _olds, news) => ({ outs: await write(news) });

exports.delete = async (id) => {
  await rm(id, { force: true });
};
