/**
 * The pull-request comment for one stack's `pulumi preview --json`: entities to create, update, replace and
 * delete grouped by kind, the grants each catalog role gains and loses, property changes as before/after,
 * and, when the preview failed, the engine's errors first. Secret values are never shown.
 */

import { previewConsequences } from "./consequences";
import type { EngineRun } from "./engine-run";
import { entityChanges } from "./entity-changes";
import { grantChanges, isGrantKind } from "./grant-changes";
import {
  byAction,
  code,
  countsLine,
  entitiesByKind,
  errorLines,
  grantsSection,
  propertyTable,
  warningLines,
} from "./markdown-parts";
import { propertyChanges } from "./property-changes";

/** The hidden first line that finds this stack's comment again on the next push. */
export function previewMarker(stack: string): string {
  return `<!-- polaris-pulumi-review:preview stack=${stack} -->`;
}

const COUNT_WORDS = {
  create: "to create",
  update: "to update",
  replace: "to replace",
  delete: "to delete",
  same: "unchanged",
};

const SECTIONS = [
  ["create", "To create"],
  ["update", "To update"],
  ["replace", "To replace"],
  ["delete", "To delete"],
] as const;

export function previewMarkdown(run: EngineRun, stack: string): string {
  const changes = entityChanges(run, "inputs");
  const failed = run.diagnostics.some((d) => d.severity === "error");
  const rows = changes
    .filter((change) => change.action === "update" || change.action === "replace")
    .map((change) => ({
      change,
      properties: propertyChanges(change.before, change.after, ignoredFor(change.kind)),
    }));
  const notes = new Map(
    rows.map(({ change, properties }) => [change, previewConsequences(change, properties)]),
  );

  const lines = [previewMarker(stack), `### Pulumi preview of stack ${code(stack)}`, ""];
  const counts = countsLine(run.changeSummary, COUNT_WORDS);
  if (failed) {
    lines.push(
      "#### The preview failed",
      "",
      "Nothing was changed. The engine stopped at the error below; fix it and push again to see the whole preview.",
      "",
      ...errorLines(run.diagnostics),
    );
    if (changes.length > 0) lines.push("What the preview reached before it stopped:", "");
  } else if (changes.length === 0) {
    lines.push(`No changes${counts ? ` (${counts})` : ""}.`, "");
  } else {
    lines.push(`${counts}.`, "");
  }
  for (const [action, heading] of SECTIONS) {
    const some = byAction(changes, action);
    if (some.length === 0) continue;
    lines.push(`#### ${heading}`, "", ...entitiesByKind(some, (change) => notes.get(change) ?? []), "");
  }
  lines.push(...grantsSection(grantChanges(changes), "#### Grants added and removed"));
  lines.push(...propertyTable(rows, { before: "before", after: "after" }));
  lines.push(...warningLines(run.diagnostics));
  return `${lines.join("\n").trimEnd()}\n`;
}

export function ignoredFor(kind: string): ReadonlySet<string> {
  return new Set(isGrantKind(kind) ? ["grants", "grant"] : []);
}
