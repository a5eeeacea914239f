/**
 * Reading a setup YAML: text or file to the validated, normalized document, or one error that lists every
 * problem with its key path. No Pulumi import.
 */
import { readFileSync } from "node:fs";
import { keyPath, SetupYamlError } from "./problems";
import { type SetupDocument, setupDocumentSchema } from "./schema";
import { parseYamlText } from "./yaml-text";

/** Validates an already parsed YAML value (e.g. from another YAML reader). */
export function validateSetupDocument(value: unknown, source = "the setup YAML"): SetupDocument {
  const parsed = setupDocumentSchema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw new SetupYamlError(
    source,
    parsed.error.issues.map((issue) => `${keyPath(issue.path)}: ${issue.message}`),
  );
}

export function parseSetupYaml(text: string, source = "the setup YAML"): SetupDocument {
  return validateSetupDocument(parseYamlText(text, source), source);
}

export function readSetupYamlFile(path: string): SetupDocument {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(
      `cannot read the setup YAML ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parseSetupYaml(text, path);
}
