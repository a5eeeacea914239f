/**
 * Implementation of MarkerFile, a dynamic resource that owns one file on the local disk.
 *
 * It exists to prove the toolchain end to end: the real `pulumi` CLI serializes its lazily loading
 * provider, runs create, read, diff, update and delete in the dynamic-provider host, and a test can see
 * the effect on disk. It has no Pulumi import on purpose (see src/dynamic/contract.ts).
 */
import { createHash } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { isAbsolute } from "node:path";
import type { ProviderImplementation } from "../dynamic/contract";

export interface MarkerFileInputs {
  path: string;
  content: string;
}

export interface MarkerFileOutputs extends MarkerFileInputs {
  sha256: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function write(inputs: MarkerFileInputs): Promise<MarkerFileOutputs> {
  await writeFile(inputs.path, inputs.content, { flag: "w" });
  return { path: inputs.path, content: inputs.content, sha256: sha256(inputs.content) };
}

export const check: ProviderImplementation<MarkerFileInputs, MarkerFileOutputs>["check"] = async (
  _olds,
  news,
) => {
  const failures = [];
  if (typeof news.path !== "string" || !isAbsolute(news.path)) {
    failures.push({
      property: "path",
      reason: `path must be an absolute file path, got ${JSON.stringify(news.path)}`,
    });
  }
  if (typeof news.content !== "string") {
    failures.push({ property: "content", reason: "content must be a string" });
  }
  return failures.length > 0 ? { failures } : { inputs: { path: news.path, content: news.content } };
};

export const diff: ProviderImplementation<MarkerFileInputs, MarkerFileOutputs>["diff"] = async (
  _id,
  olds,
  news,
) => {
  const replaces = olds.path === news.path ? [] : ["path"];
  return {
    changes: replaces.length > 0 || olds.content !== news.content,
    replaces,
    deleteBeforeReplace: true,
  };
};

export const create: ProviderImplementation<MarkerFileInputs, MarkerFileOutputs>["create"] = async (
  inputs,
) => ({
  id: inputs.path,
  outs: await write(inputs),
});

export const read: ProviderImplementation<MarkerFileInputs, MarkerFileOutputs>["read"] = async (
  id,
  props,
) => {
  try {
    const content = await readFile(id, "utf8");
    return { id, props: { ...props, path: id, content, sha256: sha256(content) } };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
};

export const update: ProviderImplementation<MarkerFileInputs, MarkerFileOutputs>["update"] = async (
  _id,
  _olds,
  news,
) => ({ outs: await write(news) });

export const remove = async (id: string): Promise<void> => {
  await rm(id, { force: true });
};
export { remove as delete };
