/**
 * What a change means beyond its properties, where a reviewer could miss it: a principal whose credentials
 * are reset, an entity that is deleted and created again.
 */
import type { EntityChange } from "./entity-changes";
import type { PropertyChange } from "./property-changes";

export function previewConsequences(change: EntityChange, properties: PropertyChange[]): string[] {
  const notes: string[] = [];
  if (change.action === "replace") {
    const reasons = change.replaceReasons?.length
      ? ` because ${change.replaceReasons.map((reason) => `\`${reason}\``).join(", ")} changes`
      : "";
    notes.push(`is deleted and created again${reasons}`);
  }
  const resetsCredentials = properties.some(
    (p) => p.path === "rotation" || p.path === "credentials" || p.path.startsWith("credentials."),
  );
  if (change.kind === "Principal" && change.action === "update" && resetsCredentials) {
    notes.push(
      "gets new credentials: its current client secret stops working; the new one is in the stack's outputs (secret)",
    );
  }
  return notes;
}

export function driftConsequences(change: EntityChange, properties: PropertyChange[]): string[] {
  const secretRejected = properties.some(
    (p) => p.path === "credentialsAccepted" && p.after.kind === "value" && p.after.text === "false",
  );
  return change.kind === "Principal" && secretRejected
    ? [
        "its stored secret no longer works (reset outside the stack); `pulumi up` resets it and stores the new one",
      ]
    : [];
}
