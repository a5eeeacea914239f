/**
 * The drift report for one stack's `pulumi refresh --preview-only`: what changed in Polaris outside Pulumi,
 * as entities deleted or changed (grouped by kind), grants granted or revoked per catalog role, and property
 * values in state against those read back. Secret values are never shown.
 */
import { driftConsequences } from "./consequences";
import type { EngineRun } from "./engine-run";
import { type EntityChange, entityChanges } from "./entity-changes";
import { entityLabel } from "./entity-label";
import { grantChanges } from "./grant-changes";
import {
  byAction,
  code,
  entitiesByKind,
  errorLines,
  grantsSection,
  propertyTable,
  warningLines,
} from "./markdown-parts";
import { ignoredFor } from "./preview-markdown";
import { propertyChanges } from "./property-changes";

export function driftMarker(stack: string): string {
  return `<!-- polaris-pulumi-review:drift stack=${stack} -->`;
}

export interface DriftFindings {
  changes: EntityChange[];
  failed: boolean;
}

export function driftFindings(run: EngineRun): DriftFindings {
  return {
    changes: entityChanges(run, "outputs"),
    failed: run.diagnostics.some((d) => d.severity === "error"),
  };
}

/** The deleted principal roles' names, so that their assignments can say they went with them. */
function deletedPrincipalRoles(deleted: EntityChange[]): Set<string> {
  return new Set(deleted.filter((c) => c.kind === "PrincipalRole").map((c) => entityLabel(c).title));
}

function withDeletedRole(change: EntityChange, roles: Set<string>): string[] {
  const role = change.before?.principalRole;
  const isAssignment = change.kind === "PrincipalRoleAssignment" || change.kind === "CatalogRoleAssignment";
  return isAssignment && typeof role === "string" && roles.has(role)
    ? ["went with the deleted principal role"]
    : [];
}

export function driftMarkdown(run: EngineRun, stack: string): string {
  const { changes, failed } = driftFindings(run);
  const deleted = byAction(changes, "delete");
  const changed = byAction(changes, "update");
  const unchanged = run.changeSummary.same ?? 0;
  const lines = [driftMarker(stack)];

  if (failed) {
    lines.push(
      `### The drift check of stack ${code(stack)} failed`,
      "",
      "`pulumi refresh --preview-only` stopped at the error below, so drift could not be checked completely.",
      "",
      ...errorLines(run.diagnostics),
    );
  } else if (changes.length === 0) {
    lines.push(
      `### No drift on stack ${code(stack)}`,
      "",
      `\`pulumi refresh --preview-only\` found every entity as the stack last left it (${unchanged} resources unchanged).`,
    );
    return `${lines.join("\n")}\n`;
  } else {
    lines.push(`### Drift on stack ${code(stack)}`, "");
  }
  if (changes.length > 0) {
    const parts = [
      ...(deleted.length ? [`${deleted.length} deleted`] : []),
      ...(changed.length ? [`${changed.length} changed`] : []),
    ];
    lines.push(
      `\`pulumi refresh --preview-only\` found ${changes.length} ${changes.length === 1 ? "entity" : "entities"} ` +
        `changed outside Pulumi (${parts.join(", ")}); ${unchanged} resources unchanged.`,
      "",
    );
  }
  const roles = deletedPrincipalRoles(deleted);
  if (deleted.length) {
    lines.push(
      "#### Deleted out of band",
      "",
      ...entitiesByKind(deleted, (c) => withDeletedRole(c, roles)),
      "",
    );
  }
  const rows = changed.map((change) => ({
    change,
    properties: propertyChanges(change.before, change.after, ignoredFor(change.kind)),
  }));
  const notes = new Map(
    rows.map(({ change, properties }) => [change, driftConsequences(change, properties)]),
  );
  if (changed.length) {
    lines.push("#### Changed out of band", "", ...entitiesByKind(changed, (c) => notes.get(c) ?? []), "");
  }
  lines.push(...grantsSection(grantChanges(changes), "#### Grants granted (+) and revoked (-) out of band"));
  lines.push(...propertyTable(rows, { before: "in state", after: "in Polaris now" }));
  lines.push(...warningLines(run.diagnostics));
  if (changes.length > 0) {
    lines.push(
      "`pulumi up --refresh` puts back what the stack declares: it creates again what was deleted, revokes grants " +
        "added to an authoritative set, grants again what was revoked, and restores the properties (a plain " +
        "`pulumi up` does not see the drift: this check wrote nothing to the state). To keep a change instead, " +
        "declare it in the program or its `Pulumi.<stack>.yaml`.",
    );
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
