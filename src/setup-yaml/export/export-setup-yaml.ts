/**
 * The export as one call, for programs and scripts: a stack's state export in, the setup YAML out. The
 * setup-export command (cli.ts) runs it too. No Pulumi import.
 */
import { toYamlText } from "../yaml-text";
import { stackEntities } from "./state";
import { type SetupExportDocument, toSetupYaml } from "./to-setup-yaml";

/** What {@link exportSetupYaml} gives. */
export interface SetupYamlExport {
  /** The setup YAML text, for `polaris setup apply`; in block style, each key on its own line. */
  yaml: string;
  /** The same document as a plain object, to add to (a remote catalog's secret, say) before writing it. */
  document: SetupExportDocument;
  /**
   * One line per thing the format cannot express, each said once: what was left out and what to do. The
   * YAML is still valid without it; read them before applying it elsewhere.
   */
  warnings: string[];
}

/**
 * Writes a stack's Polaris entities as the YAML that the official CLI's `polaris setup apply` reads: every
 * entity that this library's management resources declare in the stack, whether through PolarisSetup or
 * one by one. Resources waiting to be deleted (such as the old copy of a replaced one) are left out, and
 * everything is sorted by name, so the same stack always gives the same text.
 *
 * Secrets are never written: principals get new credentials from `setup apply` (which prints them), and
 * a remote catalog's OAuth `client_secret` or bearer `token` must be added before applying. A warning says
 * so, and says what else the format cannot express:
 * - table, view and policy grants (apply grants catalog and namespace privileges only);
 * - policy attachments to tables and views (apply cannot create the tables), and attachments of policies
 *   the stack does not declare;
 * - that an authoritative grant set is written as plain privileges, which apply only adds;
 * - principals with credentials chosen in the stack (apply always issues new ones);
 * - entities in catalogs the stack does not declare (left out), and principals or principal roles
 *   declared elsewhere but named by an assignment (listed, so that apply makes the assignment);
 * - a remote catalog's connection that the export holds encrypted (left out; export with secrets shown).
 *
 * @param stateExport The parsed JSON of `pulumi stack export --show-secrets`, or what the Automation API's
 *   `stack.exportStack()` returns (it shows secrets too). Decrypted values stay in memory.
 * @throws Error when the value is not a stack export (it has no `deployment.resources`).
 * @example
 * ```ts
 * const { yaml, warnings } = setupYaml.exportSetupYaml(await stack.exportStack());
 * for (const warning of warnings) console.warn(warning);
 * writeFileSync("setup.yaml", yaml);
 * ```
 */
export function exportSetupYaml(stateExport: unknown): SetupYamlExport {
  const { document, warnings } = toSetupYaml(stackEntities(stateExport));
  return { yaml: toYamlText(document), document, warnings };
}
