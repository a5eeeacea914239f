/**
 * Reading a setup YAML: text or file to the validated, normalized document, or one error that lists every
 * problem with its key path. No Pulumi import.
 */
import { readFileSync } from "node:fs";
import type { SetupDocument } from "./document";
import { keyPath, SetupYamlError } from "./problems";
import { setupDocumentSchema } from "./schema";
import { parseYamlText } from "./yaml-text";

/**
 * Checks a setup YAML that is already parsed (by another YAML reader, say) and brings it to one form.
 * Every key `polaris setup apply` reads is checked, in each form apply accepts; what apply would ignore
 * without a word, skip or crash on is refused. An empty document (`null`) is an empty setup.
 *
 * @param value The parsed YAML.
 * @param source Names the YAML in the error, such as its path.
 * @throws {@link SetupYamlError} listing every problem at once, each with its key path and the fix.
 */
export function validateSetupDocument(value: unknown, source = "the setup YAML"): SetupDocument {
  const parsed = setupDocumentSchema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw new SetupYamlError(
    source,
    parsed.error.issues.map((issue) => `${keyPath(issue.path)}: ${issue.message}`),
  );
}

/**
 * Reads setup YAML text and checks it as {@link validateSetupDocument} does. YAML 1.1's yes/no/on/off are
 * read as booleans where a boolean is expected, as the PyYAML reader of `polaris setup apply` does.
 *
 * @param text The YAML text.
 * @param source Names the YAML in errors, such as its path.
 * @throws Error naming the line and column when the text is not YAML.
 * @throws {@link SetupYamlError} listing every problem at once, each with its key path and the fix.
 */
export function parseSetupYaml(text: string, source = "the setup YAML"): SetupDocument {
  return validateSetupDocument(parseYamlText(text, source), source);
}

/**
 * Reads a setup YAML file and checks it as {@link validateSetupDocument} does; errors name the file. Run it
 * in a test or a CI step to catch a bad file before `pulumi up`, where PolarisSetup reports the same
 * problems.
 *
 * @param path The file's path.
 * @throws Error when the file cannot be read, or is not YAML (naming the line and column).
 * @throws {@link SetupYamlError} listing every problem at once, each with its key path and the fix.
 * @example
 * ```ts
 * try {
 *   setupYaml.readSetupYamlFile("setup.yaml");
 * } catch (error) {
 *   if (error instanceof setupYaml.SetupYamlError) console.error(error.problems.join("\n"));
 *   throw error;
 * }
 * ```
 */
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
