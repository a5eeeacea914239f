/**
 * Reads what the Pulumi CLI prints about one run into one shape, whichever of its two JSON forms it is:
 *
 * - the summary object of `pulumi preview --json` (and `pulumi refresh --preview-only --json`): `steps` with
 *   `oldState`/`newState`, `diagnostics`, `changeSummary`;
 * - the engine events of `--event-log` (one JSON object a line, or a JSON array of them): `resourcePreEvent`,
 *   `resOutputsEvent`, `diagnosticEvent`, `summaryEvent`.
 *
 * A refresh needs the events: the summary object keeps a refreshed resource as an update only when its
 * provider returned a detailed diff, which dynamic providers never do, so out-of-band changes would be lost.
 */

export interface ResourceState {
  urn: string;
  type: string;
  /** False for component resources and the stack, which are groupings rather than entities. */
  custom?: boolean;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export interface EngineStep {
  /** The engine's operation: create, update, replace, create-replacement, delete-replaced, delete, same, refresh, ... */
  op: string;
  urn: string;
  old?: ResourceState;
  new?: ResourceState;
  /** The input keys whose change forces a replacement, when the engine names them. */
  replaceReasons?: string[];
}

export interface EngineDiagnostic {
  urn?: string;
  message: string;
  /** error, warning, info, info#err or debug. */
  severity: string;
}

export interface EngineRun {
  steps: EngineStep[];
  diagnostics: EngineDiagnostic[];
  /** Counts per operation, e.g. { create: 1, same: 22 }. */
  changeSummary: Record<string, number>;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Parses the CLI's output; throws with what was expected when the text is neither form. */
export function readEngineRun(text: string): EngineRun {
  const trimmed = text.trim();
  if (trimmed === "") {
    throw new Error(
      "the Pulumi output is empty: expected the JSON of `pulumi preview --json` or an --event-log file",
    );
  }
  const whole = parseWhole(trimmed);
  if (isObject(whole)) return fromSummary(whole);
  if (Array.isArray(whole)) return fromEvents(whole.filter(isObject));
  return fromEvents(parseLines(trimmed));
}

function parseWhole(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseLines(text: string): Json[] {
  return text.split("\n").flatMap((line, index) => {
    if (line.trim() === "") return [];
    try {
      const value = JSON.parse(line);
      return isObject(value) ? [value] : [];
    } catch {
      throw new Error(
        `line ${index + 1} of the Pulumi output is not JSON: expected the JSON of \`pulumi preview --json\` ` +
          "or an --event-log file (one engine event a line)",
      );
    }
  });
}

function state(value: unknown): ResourceState | undefined {
  if (!isObject(value) || typeof value.urn !== "string") return undefined;
  return {
    urn: value.urn,
    type: typeof value.type === "string" ? value.type : "",
    ...(typeof value.custom === "boolean" ? { custom: value.custom } : {}),
    ...(typeof value.id === "string" ? { id: value.id } : {}),
    ...(isObject(value.inputs) ? { inputs: value.inputs } : {}),
    ...(isObject(value.outputs) ? { outputs: value.outputs } : {}),
  };
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.length > 0 ? value.map(String) : undefined;
}

function step(op: unknown, urn: unknown, old: unknown, next: unknown, replaceReasons: unknown): EngineStep {
  const oldState = state(old);
  const newState = state(next);
  const reasons = strings(replaceReasons);
  return {
    op: String(op),
    urn: String(urn),
    ...(oldState ? { old: oldState } : {}),
    ...(newState ? { new: newState } : {}),
    ...(reasons ? { replaceReasons: reasons } : {}),
  };
}

function counts(value: unknown): Record<string, number> {
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === "number"),
  );
}

function fromSummary(summary: Json): EngineRun {
  if (!("steps" in summary) && !("changeSummary" in summary) && !("diagnostics" in summary)) {
    throw new Error(
      "the Pulumi output is a JSON object without steps, changeSummary or diagnostics: expected the JSON of " +
        "`pulumi preview --json`",
    );
  }
  const steps = (Array.isArray(summary.steps) ? summary.steps : [])
    .filter(isObject)
    .map((s) => step(s.op, s.urn, s.oldState, s.newState, s.replaceReasons));
  const diagnostics = (Array.isArray(summary.diagnostics) ? summary.diagnostics : [])
    .filter(isObject)
    .map((d) => diagnostic(d.urn, d.message, d.severity));
  return { steps, diagnostics, changeSummary: counts(summary.changeSummary) };
}

function diagnostic(urn: unknown, message: unknown, severity: unknown, prefix?: unknown): EngineDiagnostic {
  return {
    ...(typeof urn === "string" && urn !== "" ? { urn } : {}),
    message: withoutColor(`${typeof prefix === "string" ? prefix : ""}${String(message ?? "")}`),
    severity: String(severity ?? "info"),
  };
}

/** The engine's colour directives, such as `<{%fg 1%}>` and `<{%reset%}>`. */
function withoutColor(text: string): string {
  return text.replace(/<\{%[^%]*%\}>/g, "");
}

/**
 * Engine events: a resource's step comes from its pre-event; for a refresh the outputs event carries what
 * the refresh found (an update or a delete), as the CLI's own summary does.
 */
function fromEvents(events: Json[]): EngineRun {
  const steps: EngineStep[] = [];
  const refreshing = new Map<string, number>();
  const diagnostics: EngineDiagnostic[] = [];
  let changeSummary: Record<string, number> = {};
  for (const event of events) {
    const pre = isObject(event.resourcePreEvent) ? event.resourcePreEvent.metadata : undefined;
    const outputs = isObject(event.resOutputsEvent) ? event.resOutputsEvent.metadata : undefined;
    if (isObject(pre)) {
      if (pre.op === "refresh") refreshing.set(String(pre.urn), steps.length);
      steps.push(step(pre.op, pre.urn, pre.old, pre.new, pre.keys));
    } else if (isObject(outputs)) {
      const index = refreshing.get(String(outputs.urn));
      if (index !== undefined) {
        steps[index] = step(outputs.op, outputs.urn, outputs.old, outputs.new, outputs.keys);
      }
    } else if (isObject(event.diagnosticEvent)) {
      const d = event.diagnosticEvent;
      if (d.ephemeral !== true) diagnostics.push(diagnostic(d.urn, d.message, d.severity, d.prefix));
    } else if (isObject(event.summaryEvent)) {
      changeSummary = counts(event.summaryEvent.resourceChanges);
    }
  }
  return { steps, diagnostics, changeSummary };
}
