/**
 * The benchmark's results: the JSON record (every run's measurements, the spreads and ratios, the goals)
 * and the Markdown table that goes into README.md between the benchmark markers.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Campaign, PulumiSeries, WorkloadResult } from "./campaign";
import type { Machine } from "./machine";
import type { Measurement } from "./measure";
import type { Mode } from "./modes";
import type { PulumiStep } from "./peers";
import { ratioSpread, type Spread, spread } from "./stats";

const GiB = 2 ** 30;
const MiB = 2 ** 20;

export interface Goal {
  goal: string;
  measured: string;
  /** undefined when the runs did not include what the goal needs. */
  met?: boolean;
}

const seconds = (runs: Measurement[]) => runs.map((run) => run.seconds);
const find = (campaign: Campaign, workload: string) =>
  campaign.workloads.find((w) => w.workload === workload);
const series = (result: WorkloadResult | undefined, program: string, mode: Mode) =>
  result?.pulumi.find((candidate) => candidate.program === program && candidate.mode === mode);
const maxTokensPerProcess = (run: Measurement) =>
  Math.max(0, ...Object.values(run.requests.tokenRequestsByProcess));

export function evaluateGoals(campaign: Campaign): Goal[] {
  const modes = [
    ...new Set(campaign.workloads.flatMap((result) => result.pulumi.map((entry) => entry.mode))),
  ];
  return modes.flatMap((mode) => goalsOf(campaign, mode));
}

function goalsOf(campaign: Campaign, mode: Mode): Goal[] {
  const goals: Goal[] = [];
  const tag = ` (${mode})`;
  const reference = find(campaign, "reference");
  const platform = series(reference, "platform", mode);
  if (platform && reference && reference.setupApply.length > 0) {
    const ratio = ratioSpread(seconds(platform.steps.up), seconds(reference.setupApply));
    goals.push({
      goal: `reference platform: \`up\` within 1.5x of \`polaris setup apply\`${tag}`,
      measured: `${ratio.median.toFixed(2)}x`,
      met: ratio.median <= 1.5,
    });
  }
  const scale = find(campaign, "scale");
  const sets = series(scale, "sets", mode);
  if (sets && scale && scale.setupApply.length > 0) {
    const ratio = ratioSpread(seconds(sets.steps.up), seconds(scale.setupApply));
    goals.push({
      goal: `scale stack, authoritative sets: \`up\` faster than \`polaris setup apply\`${tag}`,
      measured: `${ratio.median.toFixed(2)}x`,
      met: ratio.median < 1,
    });
  }
  if (sets) {
    const preview = spread(seconds(sets.steps.preview)).median;
    const refresh = spread(seconds(sets.steps.refresh)).median;
    goals.push({
      goal: `scale stack, authoritative sets: no-op \`preview\` under 20 s${tag}`,
      measured: `${preview.toFixed(1)} s`,
      met: preview < 20,
    });
    goals.push({
      goal: `scale stack, authoritative sets: \`refresh\` under 30 s${tag}`,
      measured: `${refresh.toFixed(1)} s`,
      met: refresh < 30,
    });
  }
  const inMode = campaign.workloads.flatMap((result) => result.pulumi.filter((entry) => entry.mode === mode));
  if (inMode.length > 0) {
    const noop = inMode.flatMap((entry) => entry.steps.noopUp);
    const writes = Math.max(...noop.map((run) => run.requests.writes));
    const tokens = Math.max(...noop.map(maxTokensPerProcess));
    goals.push({
      goal: `no-op \`up\`: 0 writes, at most 1 token request per provider process, every program and run${tag}`,
      measured: `at most ${writes} writes, ${tokens} token requests per process`,
      met: writes === 0 && tokens <= 1,
    });
    const bounded = inMode.filter((entry) => entry.program !== "grants");
    const peak = Math.max(
      ...bounded.flatMap((entry) =>
        Object.values(entry.steps).flatMap((runs) => runs.map((run) => run.peakRssBytes ?? 0)),
      ),
    );
    goals.push({
      goal: `peak RSS of the CLI, language host, program and provider together under 1 GiB, every step of the reference platform and the authoritative sets${tag}`,
      measured: `${Math.round(peak / MiB)} MiB`,
      met: peak < GiB,
    });
  }
  return goals;
}

const fmt = (value: number, digits = 1) => value.toFixed(digits);
const spreadText = (values: Spread, digits = 1) =>
  `${fmt(values.min, digits)} / **${fmt(values.median, digits)}** / ${fmt(values.max, digits)}`;
const range = (values: number[]) => {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? `${low}` : `${low}-${high}`;
};

/** Median seconds before the first request and after the last answer: the client's start-up and wind-down. */
function phaseCell(runs: Measurement[]) {
  const before = runs.flatMap((run) =>
    run.beforeFirstRequestSeconds === undefined ? [] : [run.beforeFirstRequestSeconds],
  );
  const after = runs.flatMap((run) =>
    run.afterLastAnswerSeconds === undefined ? [] : [run.afterLastAnswerSeconds],
  );
  return before.length > 0 ? `${fmt(spread(before).median)} / ${fmt(spread(after).median)}` : "-";
}

function requestCells(runs: Measurement[]) {
  const method = (name: string) => range(runs.map((run) => run.requests.byMethod[name] ?? 0));
  const perProcess = range(runs.map(maxTokensPerProcess));
  const rss = runs.some((run) => run.peakRssBytes)
    ? range(runs.map((run) => Math.round((run.peakRssBytes ?? 0) / MiB)))
    : "-";
  return [
    `${method("GET")} / ${method("POST")} / ${method("PUT")} / ${method("DELETE")}`,
    range(runs.map((run) => run.requests.writes)),
    `${range(runs.map((run) => run.requests.tokenRequests - run.requests.credentialChecks))} (${perProcess})` +
      (runs.some((run) => run.requests.credentialChecks > 0)
        ? ` + ${range(runs.map((run) => run.requests.credentialChecks))} checks`
        : ""),
    fmt(spread(runs.map((run) => run.polarisCpuSeconds)).median),
    rss,
    phaseCell(runs),
  ];
}

function row(peer: string, step: string, runs: Measurement[], ratios: (Spread | undefined)[]) {
  const ratioCells = ratios.map((ratio) => (ratio ? spreadText(ratio, 2) : "-"));
  return `| ${peer} | ${step} | ${spreadText(spread(seconds(runs)))} | ${ratioCells.join(" | ")} | ${requestCells(runs).join(" | ")} |`;
}

const STEP_NAMES: Record<PulumiStep, string> = {
  up: "`up` from empty",
  preview: "no-op `preview`",
  refresh: "`refresh`",
  noopUp: "no-op `up`",
  destroy: "`destroy`",
};

const PROGRAM_NAMES: Record<string, string> = {
  platform: "`pulumi` (stacks/index.ts)",
  sets: "`pulumi`, authoritative sets",
  grants: "`pulumi`, additive grants",
};

function workloadTable(result: WorkloadResult): string[] {
  const lines = [
    "| peer | step | seconds (min / **median** / max) | x setup apply | x REST floor x8 | GET / POST / PUT / DELETE | writes | tokens (per process) | Polaris CPU s | peak RSS MiB | s before 1st request / after last answer |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const setup = seconds(result.setupApply);
  const floor8 = seconds(result.floorParallel);
  const vs = (runs: Measurement[], peer: number[]) =>
    peer.length > 0 ? ratioSpread(seconds(runs), peer) : undefined;
  if (result.floorSequential.length > 0) {
    lines.push(
      row("REST floor, sequential", "from empty", result.floorSequential, [
        vs(result.floorSequential, setup),
        undefined,
      ]),
    );
    lines.push(
      row("REST floor, x8", "from empty", result.floorParallel, [vs(result.floorParallel, setup), undefined]),
    );
  }
  if (result.setupApply.length > 0) {
    lines.push(
      row("`polaris setup apply`", "from empty", result.setupApply, [
        undefined,
        vs(result.setupApply, floor8),
      ]),
    );
    lines.push(row("`polaris setup apply`", "again (no-op)", result.setupApplyRerun, [undefined, undefined]));
  }
  for (const entry of result.pulumi) {
    for (const [step, runs] of Object.entries(entry.steps) as [PulumiStep, Measurement[]][]) {
      const peerRatios =
        step === "up"
          ? [vs(runs, setup), vs(runs, floor8)]
          : step === "noopUp"
            ? [vs(runs, seconds(result.setupApplyRerun)), undefined]
            : [undefined, undefined];
      lines.push(row(`${PROGRAM_NAMES[entry.program]}, ${entry.mode}`, STEP_NAMES[step], runs, peerRatios));
    }
  }
  return lines;
}

function providerLine(entry: PulumiSeries) {
  return (
    `${PROGRAM_NAMES[entry.program]}: ${entry.resources} resources; \`__provider\` ${entry.providerBytes.min}-` +
    `${entry.providerBytes.max} bytes per resource (mean ${entry.providerBytes.mean})`
  );
}

export interface Report {
  generatedAt: string;
  command: string;
  runs: number;
  machine: Machine;
  versions: Record<string, string>;
  campaign: Campaign;
  goals: Goal[];
  elapsedSeconds: number;
}

export function markdown(report: Report): string {
  const { machine, campaign } = report;
  const load = (state: Machine["start"]) => state.loadAverage.join(" / ");
  const lines = [
    `Measured ${report.generatedAt.slice(0, 10)} with \`${report.command}\` (${report.runs} runs, ` +
      `${Math.round(report.elapsedSeconds / 60)} min in all) on ${machine.cores} cores (${machine.cpuModel}), ` +
      `${machine.memoryGiB} GiB. Load average (1 / 5 / 15 min) ${load(machine.start)} at the start and ` +
      `${machine.end ? load(machine.end) : "?"} at the end; ${machine.busy ? "**the machine was busy**" : "the machine was quiet"} ` +
      `(other Polaris servers: ${machine.start.otherPolarisServers} at the start, ${machine.end?.otherPolarisServers ?? "?"} at the end). ` +
      `Versions: ${Object.entries(report.versions)
        .map(([name, version]) => `${name} ${version}`)
        .join(", ")}.`,
  ];
  if (campaign.proxyOverhead) {
    const overhead = campaign.proxyOverhead;
    lines.push(
      "",
      `Every request goes through a counting proxy; it adds ${fmt(overhead.overheadMs, 3)} ms to a request ` +
        `(median of ${overhead.requests} reads: ${fmt(overhead.directMedianMs, 2)} ms direct, ` +
        `${fmt(overhead.proxiedMedianMs, 2)} ms through it).`,
    );
  }
  lines.push(
    "",
    "Ratios pair run i of one peer with run i of the other (same load), then give min / **median** / max. " +
      "Requests are per step (a range when runs differ). Tokens are the management client's token requests, in " +
      "brackets the most any one client process sent, plus the checks a refresh makes of each principal's " +
      "secret (a token request with it). Writes are POST, PUT and DELETE without token requests.",
  );
  for (const result of campaign.workloads) {
    lines.push(
      "",
      `**${result.workload === "reference" ? "Reference platform" : "Scale stack"}** (${result.minimalWrites || "?"} writes at least)`,
      "",
      ...workloadTable(result),
    );
    const programs = new Map(result.pulumi.map((entry) => [entry.program, entry]));
    for (const entry of programs.values()) lines.push("", providerLine(entry));
  }
  lines.push(
    "",
    "**Goals** (times on the median of the runs; requests and RSS on every run)",
    "",
    "| goal | measured | met |",
    "| --- | ---: | --- |",
  );
  for (const goal of report.goals) {
    lines.push(
      `| ${goal.goal} | ${goal.measured} | ${goal.met === undefined ? "-" : goal.met ? "yes" : "**no**"} |`,
    );
  }
  return lines.flatMap((line) => (line.startsWith("|") ? [line] : wrap(line))).join("\n");
}

/** A paragraph in lines of at most `width` characters, as the README is written. */
function wrap(paragraph: string, width = 110): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of paragraph.split(" ")) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  return [...lines, current];
}

export const START_MARKER = "<!-- benchmark:start -->";
export const END_MARKER = "<!-- benchmark:end -->";

/** Replaces what lies between the markers in `file` with `content`. */
export async function writeBetweenMarkers(file: string, content: string): Promise<void> {
  const text = await readFile(file, "utf8");
  const start = text.indexOf(START_MARKER);
  const end = text.indexOf(END_MARKER);
  if (start < 0 || end < start) {
    throw new Error(
      `${file} has no ${START_MARKER} ... ${END_MARKER} block; add one where the table belongs`,
    );
  }
  await writeFile(file, `${text.slice(0, start + START_MARKER.length)}\n${content}\n${text.slice(end)}`);
}

export async function writeJson(file: string, report: Report): Promise<void> {
  const summary = Object.fromEntries(
    report.campaign.workloads.map((result) => [
      result.workload,
      {
        floorSequential: result.floorSequential.length ? spread(seconds(result.floorSequential)) : undefined,
        floorParallel: result.floorParallel.length ? spread(seconds(result.floorParallel)) : undefined,
        setupApply: result.setupApply.length ? spread(seconds(result.setupApply)) : undefined,
        setupApplyRerun: result.setupApplyRerun.length ? spread(seconds(result.setupApplyRerun)) : undefined,
        pulumi: Object.fromEntries(
          result.pulumi.map((entry) => [
            `${entry.program}/${entry.mode}`,
            Object.fromEntries(
              Object.entries(entry.steps).map(([step, runs]) => [
                step,
                {
                  seconds: spread(seconds(runs)),
                  ...(step === "up" && result.setupApply.length
                    ? { vsSetupApply: ratioSpread(seconds(runs), seconds(result.setupApply)) }
                    : {}),
                  ...(step === "up" && result.floorParallel.length
                    ? { vsFloorParallel: ratioSpread(seconds(runs), seconds(result.floorParallel)) }
                    : {}),
                  ...(step === "up" && result.floorSequential.length
                    ? { vsFloorSequential: ratioSpread(seconds(runs), seconds(result.floorSequential)) }
                    : {}),
                },
              ]),
            ),
          ]),
        ),
      },
    ]),
  );
  await writeFile(file, `${JSON.stringify({ ...report, summary }, null, 2)}\n`);
}
