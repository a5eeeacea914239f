/**
 * Turns the JSON a real `pulumi preview --json` or `refresh --preview-only --event-log` printed into a stable
 * fixture: no timestamps, durations or source positions, no serialized provider code, provider ids and
 * loopback ports replaced, and the steps the review ignores (resources the run leaves as they are) dropped.
 * What remains is the real input that test/e2e/golden's Markdown was rendered from.
 */

type Json = Record<string, unknown>;

const DROPPED_KEYS = new Set([
  "__provider",
  "sourcePosition",
  "stackTrace",
  "created",
  "modified",
  "timestamp",
  "sequence",
  "duration",
  "durationSeconds",
]);
const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const LOOPBACK_PORT = /\b(127\.0\.0\.1|localhost):\d+/g;
const UNCHANGED = new Set(["same", "refresh"]);

function scrub(value: unknown): unknown {
  if (typeof value === "string") {
    return value
      .replace(UUID, (match) => (match === UNKNOWN_VALUE ? match : "00000000-0000-0000-0000-000000000000"))
      .replace(LOOPBACK_PORT, "$1:PORT");
  }
  if (Array.isArray(value)) return value.map(scrub);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !DROPPED_KEYS.has(key))
        .map(([key, child]) => [key, scrub(child)]),
    );
  }
  return value;
}

function metadata(event: Json, kind: string): Json | undefined {
  const payload = event[kind] as Json | undefined;
  return payload?.metadata as Json | undefined;
}

function changedEvents(events: Json[]): Json[] {
  // A refresh's outcome is in the outputs event; a resource whose outcome is no change is dropped whole.
  const outcome = new Map<string, string>();
  for (const event of events) {
    const outputs = metadata(event, "resOutputsEvent");
    if (outputs) outcome.set(String(outputs.urn), String(outputs.op));
  }
  return events.filter((event) => {
    const pre = metadata(event, "resourcePreEvent");
    const outputs = metadata(event, "resOutputsEvent");
    if (pre?.op === "same") return false;
    if (pre?.op === "refresh") return !UNCHANGED.has(outcome.get(String(pre.urn)) ?? "same");
    if (outputs) return !UNCHANGED.has(String(outputs.op));
    return true;
  });
}

/** The normalized fixture text: the summary object as JSON, engine events as a JSON array. */
export function normalizePulumiJson(text: string): string {
  const trimmed = text.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    parsed = trimmed
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line));
  }
  if (Array.isArray(parsed)) {
    return `${JSON.stringify(scrub(changedEvents(parsed as Json[])), null, 2)}\n`;
  }
  const summary = parsed as Json;
  const steps = (summary.steps as Json[] | undefined)?.filter((step) => step.op !== "same");
  return `${JSON.stringify(scrub({ ...summary, ...(steps ? { steps } : {}) }), null, 2)}\n`;
}
