/**
 * YAML text in and out, with js-yaml (4.x), which @pulumi/pulumi already depends on. `polaris setup
 * apply` reads with PyYAML's safe_load (YAML 1.1); js-yaml's default schema is YAML 1.2, so the few
 * YAML 1.1 scalars that differ (yes/no/on/off as booleans) are handled where a boolean is expected
 * (see `yamlBoolean` in schema.ts). No Pulumi import.
 */
import { createRequire } from "node:module";

interface JsYaml {
  load(text: string, options?: { filename?: string }): unknown;
  dump(
    value: unknown,
    options?: { indent?: number; lineWidth?: number; noRefs?: boolean; sortKeys?: boolean },
  ): string;
}

let loaded: JsYaml | undefined;
function jsYaml(): JsYaml {
  loaded ??= createRequire(__filename)("js-yaml") as JsYaml;
  return loaded;
}

/** Parses YAML text; a syntax error names the source and the line. */
export function parseYamlText(text: string, source: string): unknown {
  try {
    return jsYaml().load(text, { filename: source });
  } catch (error) {
    const { mark, reason } = error as { mark?: { line: number; column: number }; reason?: string };
    if (!mark) throw new Error(`${source} is not valid YAML: ${(error as Error).message}`);
    throw new Error(
      `${source} is not valid YAML, at line ${mark.line + 1}, column ${mark.column + 1}: ${reason}`,
    );
  }
}

/** Block-style YAML with keys in the order given, no anchors, and long strings left on one line. */
export function toYamlText(value: unknown): string {
  return jsYaml().dump(value, { indent: 2, lineWidth: -1, noRefs: true, sortKeys: false });
}
