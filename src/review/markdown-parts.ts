/**
 * Markdown building blocks shared by the preview comment and the drift report: inline code that survives
 * backticks, table cells, the grants block and the property table.
 */
import type { EngineDiagnostic } from "./engine-run";
import { type ChangeAction, type EntityChange, parseUrn } from "./entity-changes";
import { entityLabel } from "./entity-label";
import type { RoleGrantChanges } from "./grant-changes";
import type { PropertyChange, ShownValue } from "./property-changes";

export function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

export function describeEntity(change: EntityChange): string {
  const label = entityLabel(change);
  return `${code(label.title)}${label.catalog ? ` (catalog ${code(label.catalog)})` : ""}`;
}

/** One line per kind: `- **Namespace**: `demo.gold`, `demo.silver``, entities sorted by how they read. */
export function entitiesByKind(
  changes: EntityChange[],
  annotate: (change: EntityChange) => string[],
): string[] {
  const kinds = new Map<string, string[]>();
  const sorted = [...changes].sort(
    (a, b) => a.kind.localeCompare(b.kind) || describeEntity(a).localeCompare(describeEntity(b)),
  );
  for (const change of sorted) {
    const notes = annotate(change);
    const entry = `${describeEntity(change)}${notes.length ? `, ${notes.join("; ")}` : ""}`;
    kinds.set(change.kind, [...(kinds.get(change.kind) ?? []), entry]);
  }
  return [...kinds].map(([kind, entries]) => `- **${kind}**: ${entries.join(", ")}`);
}

export function byAction(changes: EntityChange[], action: ChangeAction): EntityChange[] {
  return changes.filter((change) => change.action === action);
}

export function grantsSection(roles: RoleGrantChanges[], heading: string): string[] {
  if (roles.length === 0) return [];
  const lines = [heading, ""];
  for (const role of roles) {
    lines.push(
      `Catalog role ${code(role.catalogRole)}${role.catalog ? ` in catalog ${code(role.catalog)}` : ""}:`,
      "",
    );
    if (role.unknown) {
      lines.push(
        "- its grants are known only after apply (they wait on entities this update creates or changes)",
        "",
      );
    }
    if (role.removed.length + role.added.length > 0) {
      lines.push(
        "```diff",
        ...role.removed.map((line) => `- ${line}`),
        ...role.added.map((line) => `+ ${line}`),
        "```",
        "",
      );
    }
  }
  return lines;
}

function shown(value: ShownValue): string {
  switch (value.kind) {
    case "absent":
      return "(none)";
    case "unknown":
      return "(known after apply)";
    case "secret":
      return value.changed ? "(secret, changed)" : "(secret)";
    case "value":
      return code(cell(value.text));
  }
}

export function propertyTable(
  rows: { change: EntityChange; properties: PropertyChange[] }[],
  columns: { before: string; after: string },
): string[] {
  const body = rows.flatMap(({ change, properties }) =>
    properties.map(
      (p) =>
        `| ${change.kind} ${describeEntity(change)} | ${code(p.path)} | ${shown(p.before)} | ${shown(p.after)} |`,
    ),
  );
  if (body.length === 0) return [];
  return [
    "#### Property changes",
    "",
    `| entity | property | ${columns.before} | ${columns.after} |`,
    "| --- | --- | --- | --- |",
    ...body,
    "",
  ];
}

/** Errors the engine reported, each with the resource it names, as the CLI wrote them. */
export function errorLines(diagnostics: EngineDiagnostic[]): string[] {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const error of errors) {
    const message = error.message.replace(/^error:\s*/, "").trim();
    if (seen.has(message)) continue;
    seen.add(message);
    const where = error.urn ? parseUrn(error.urn) : undefined;
    const named = where && !where.type.startsWith("pulumi:pulumi:Stack");
    const fence = message.includes("```") ? "````" : "```";
    lines.push(
      named ? `**${where.type.split(":").pop()}** ${code(where.name)}:` : "Pulumi:",
      "",
      `${fence}text`,
      message,
      fence,
      "",
    );
  }
  return lines;
}

export function warningLines(diagnostics: EngineDiagnostic[]): string[] {
  const warnings = [
    ...new Set(
      diagnostics
        .filter((d) => d.severity === "warning")
        .map((d) => d.message.replace(/^warning:\s*/, "").trim()),
    ),
  ];
  if (warnings.length === 0) return [];
  return ["#### Warnings", "", ...warnings.map((w) => `- ${cell(w)}`), ""];
}

/** "1 to create, 22 unchanged" from the engine's counts. */
export function countsLine(counts: Record<string, number>, words: Record<string, string>): string {
  const known = Object.entries(words)
    .filter(([op]) => (counts[op] ?? 0) > 0)
    .map(([op, word]) => `${counts[op]} ${word}`);
  const other = Object.entries(counts)
    .filter(([op, count]) => !(op in words) && count > 0)
    .map(([op, count]) => `${count} ${op}`);
  return [...known, ...other].join(", ");
}
