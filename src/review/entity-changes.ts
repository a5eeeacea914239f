/**
 * The entities a run creates, updates, replaces or deletes, one entry per resource, from the engine's steps.
 * The stack, component resources and providers are groupings or plumbing, not entities, and are left out.
 */
import type { EngineRun, EngineStep } from "./engine-run";

export type ChangeAction = "create" | "update" | "replace" | "delete";

/**
 * Which half of the state to compare: a preview compares the program's inputs before and after; a refresh
 * compares the outputs in state with what the provider read back.
 */
export type StateSide = "inputs" | "outputs";

export interface EntityChange {
  action: ChangeAction;
  urn: string;
  type: string;
  /** The type's last part: Namespace, CatalogGrantSet, BucketV2... */
  kind: string;
  /** The resource's name in the program (the URN's last part). */
  name: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  replaceReasons?: string[];
}

const ACTIONS: Record<string, ChangeAction> = {
  create: "create",
  import: "create",
  update: "update",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
  "discard-replaced": "replace",
  delete: "delete",
  discard: "delete",
};

/** urn:pulumi:<stack>::<project>::<parent types $ type>::<name> */
export function parseUrn(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const types = parts[2] ?? "";
  return { type: types.split("$").pop() ?? types, name: parts.slice(3).join("::") };
}

export function kindOf(type: string): string {
  return type.split(":").pop() || type;
}

function isEntity(step: EngineStep, type: string): boolean {
  if (type === "pulumi:pulumi:Stack" || type.startsWith("pulumi:providers:")) return false;
  return step.old?.custom !== false && step.new?.custom !== false;
}

export function entityChanges(run: EngineRun, side: StateSide): EntityChange[] {
  const byUrn = new Map<string, EntityChange>();
  for (const step of run.steps) {
    const action = ACTIONS[step.op];
    if (!action) continue;
    const type = step.new?.type || step.old?.type || parseUrn(step.urn).type;
    if (!isEntity(step, type)) continue;
    const seen = byUrn.get(step.urn);
    const before = step.old?.[side];
    const after = step.new?.[side];
    if (!seen) {
      byUrn.set(step.urn, {
        action,
        urn: step.urn,
        type,
        kind: kindOf(type),
        name: parseUrn(step.urn).name,
        ...(before ? { before } : {}),
        ...(after ? { after } : {}),
        ...(step.replaceReasons ? { replaceReasons: step.replaceReasons } : {}),
      });
      continue;
    }
    // A replacement comes as several steps (create-replacement, replace, delete-replaced): one entry.
    if (action === "replace") seen.action = "replace";
    seen.before ??= before;
    seen.after ??= after;
    if (step.replaceReasons && !seen.replaceReasons) seen.replaceReasons = step.replaceReasons;
  }
  return [...byUrn.values()];
}
