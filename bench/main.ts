/**
 * The benchmark driver (run by scripts/benchmark): the REST floor, `polaris setup apply` and our
 * `pulumi up` on the same sandbox Polaris, for the reference platform and the scale stack; results to
 * JSON and to the table in README.md.
 */
import { execFileSync } from "node:child_process";
import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { type Campaign, runCampaign } from "./lib/campaign";
import { startCountingProxy } from "./lib/counting-proxy";
import { describeMachine, isBusy, machineState } from "./lib/machine";
import { parseOptions, USAGE } from "./lib/options";
import { evaluateGoals, markdown, type Report, writeBetweenMarkers, writeJson } from "./lib/report";
import { repoRoot, stopSandbox } from "./lib/sandbox";

const log = (line: string) => process.stderr.write(`==> ${line}\n`);

function versions(): Record<string, string> {
  const polarisCli = (() => {
    try {
      const python = process.env.BENCH_VENV_PYTHON;
      if (!python) return "unknown";
      return execFileSync(
        python,
        ["-c", "import importlib.metadata as m; print(m.version('apache-polaris'))"],
        {
          encoding: "utf8",
        },
      ).trim();
    } catch {
      return "unknown";
    }
  })();
  return {
    "Apache Polaris (sandbox)": process.env.POLARIS_SANDBOX_VERSION ?? "unknown",
    "Pulumi CLI": process.env.PULUMI_VERSION ?? "unknown",
    "apache-polaris CLI": polarisCli,
    "Node.js": process.version,
  };
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return;
  }
  const options = parseOptions(argv);
  if (options.from) {
    const earlier = JSON.parse(await readFile(options.from, "utf8")) as Report;
    await publish({ ...earlier, goals: evaluateGoals(earlier.campaign) }, options.readme);
    return;
  }
  const began = performance.now();
  const machine = await describeMachine();
  log(
    `benchmark: ${options.runs} run(s) of ${options.workloads.join(", ")} with ${options.peers.join(", ")} ` +
      `(load average ${machine.start.loadAverage.join(" / ")}, other Polaris servers ${machine.start.otherPolarisServers})`,
  );
  // Interrupted (Ctrl-C), the benchmark still stops its own sandbox instance.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the sandbox instance ${options.instance}`);
      stopSandbox(options.instance).finally(() => process.exit(130));
    });
  }
  const proxy = await startCountingProxy("http://127.0.0.1:1");
  const reportOf = (campaign: Campaign, runs: number): Report => ({
    generatedAt: new Date().toISOString(),
    command: ["./scripts/benchmark", ...argv].join(" "),
    runs,
    machine,
    versions: versions(),
    campaign,
    goals: evaluateGoals(campaign),
    elapsedSeconds: Math.round((performance.now() - began) / 1000),
  });
  await mkdir(dirname(options.output), { recursive: true });
  // What the finished runs measured, kept beside the output until the whole campaign is done.
  const partial = `${options.output}.partial`;
  let campaign: Campaign;
  try {
    campaign = await runCampaign(options, proxy, log, async (sofar, run) => {
      await writeJson(partial, reportOf(sofar, run));
      log(`run ${run}/${options.runs} done after ${Math.round((performance.now() - began) / 60_000)} min`);
    });
  } finally {
    await proxy.close();
    await stopSandbox(options.instance).catch(() => undefined);
  }
  machine.end = await machineState();
  machine.busy = isBusy(machine);
  const report = reportOf(campaign, options.runs);
  await writeJson(options.output, report);
  await rm(partial, { force: true });
  log(`results: ${relative(process.cwd(), options.output)}`);
  await publish(report, options.readme);
  log(`timing: benchmark ${report.elapsedSeconds} s`);
}

/** The table into README.md (unless told not to) and on standard output; the goals on standard error. */
async function publish(report: Report, readme: boolean): Promise<void> {
  const table = markdown(report);
  if (readme) {
    await writeBetweenMarkers(join(repoRoot, "README.md"), table);
    log("README.md: the Performance table is updated");
  }
  process.stdout.write(`${table}\n`);
  for (const goal of report.goals) {
    log(
      `goal ${goal.met === undefined ? "not measured" : goal.met ? "met" : "MISSED"}: ${goal.goal} (${goal.measured})`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\nerror: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
