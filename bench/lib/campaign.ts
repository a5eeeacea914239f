/**
 * The measured runs: for each run, each workload and each peer, a fresh sandbox (its in-memory Polaris
 * restarted), then the peer's steps through the counting proxy. Peers alternate within a run, so that a
 * change in the machine's load during the campaign reaches every peer alike.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CountingProxy } from "./counting-proxy";
import type { Measurement, Target } from "./measure";
import { MODE_ENV, type Mode } from "./modes";
import type { Options, Shape } from "./options";
import { floorPeer, PULUMI_STEPS, type PulumiStep, pulumiPeer, setupApplyPeer } from "./peers";
import { measureProxyOverhead, type ProxyOverhead } from "./proxy-overhead";
import { connectScale, type PulumiProject, referenceProject, scaleProject } from "./pulumi-project";
import { freshSandbox, type Sandbox } from "./sandbox";
import { setupYaml } from "./setup-yaml";
import { minimalWrites, type WorkloadName, workloadFor } from "./workload";

/** The Pulumi program measured: the repository's own for the reference platform, else a grant shape. */
export type Program = "platform" | Shape;

export interface PulumiSeries {
  program: Program;
  mode: Mode;
  resources: number;
  providerBytes: { min: number; max: number; mean: number };
  steps: Record<PulumiStep, Measurement[]>;
}

export interface WorkloadResult {
  workload: WorkloadName;
  minimalWrites: number;
  floorSequential: Measurement[];
  floorParallel: Measurement[];
  setupApply: Measurement[];
  setupApplyRerun: Measurement[];
  pulumi: PulumiSeries[];
}

export const FLOOR_PARALLELISM = 8;

/**
 * The Pulumi programs and modes measured for a workload. The additive-grants shape runs in the default
 * mode only when asked: 2,600 resources, each step saving the whole state, take about an hour per run.
 */
function pulumiRuns(name: WorkloadName, options: Options): { program: Program; mode: Mode }[] {
  const programs: Program[] = name === "reference" ? ["platform"] : options.shapes;
  return programs.flatMap((program) =>
    options.modes
      .filter((mode) => !(program === "grants" && mode === "default" && !options.grantsDefault))
      .map((mode) => ({ program, mode })),
  );
}

export interface Campaign {
  proxyOverhead?: ProxyOverhead;
  workloads: WorkloadResult[];
}

const describe = (measurement: Measurement) =>
  `${measurement.seconds.toFixed(1)} s, ${measurement.requests.total} requests ` +
  `(${measurement.requests.writes} writes, ${measurement.requests.tokenRequests} tokens), ` +
  `Polaris ${measurement.polarisCpuSeconds.toFixed(1)} CPU s` +
  (measurement.peakRssBytes ? `, peak RSS ${Math.round(measurement.peakRssBytes / 2 ** 20)} MiB` : "");

/** Runs the campaign; `afterRun` gets the results so far after each run (to keep them if a later run fails). */
export async function runCampaign(
  options: Options,
  proxy: CountingProxy,
  log: (line: string) => void,
  afterRun: (campaign: Campaign, run: number) => Promise<void> = async () => undefined,
): Promise<Campaign> {
  const scratch = await mkdtemp(join(tmpdir(), "polaris-bench-"));
  const campaign: Campaign = { workloads: [] };
  const results = new Map<WorkloadName, WorkloadResult>();
  let sandbox: Sandbox | undefined;
  const fresh = async () => {
    sandbox = await freshSandbox(options.instance);
    proxy.target = sandbox.endpoints.POLARIS_URI!;
    proxy.managementClientId = sandbox.endpoints.POLARIS_CLIENT_ID!;
    if (!campaign.proxyOverhead) {
      campaign.proxyOverhead = await measureProxyOverhead(sandbox.endpoints.POLARIS_URI!, proxy.uri, {
        realm: sandbox.endpoints.POLARIS_REALM!,
        clientId: sandbox.endpoints.POLARIS_CLIENT_ID!,
        clientSecret: sandbox.endpoints.POLARIS_CLIENT_SECRET!,
      });
      const overhead = campaign.proxyOverhead;
      log(
        `proxy overhead: ${overhead.overheadMs.toFixed(3)} ms per request (median ${overhead.directMedianMs.toFixed(2)} ms ` +
          `direct, ${overhead.proxiedMedianMs.toFixed(2)} ms through the proxy, ${overhead.requests} reads each)`,
      );
    }
    const target: Target = { proxy, polarisPid: sandbox.polarisPid };
    const server = sandbox;
    return {
      sandbox,
      target,
      workload: (name: WorkloadName) => {
        const workload = workloadFor(name, server.warehouse);
        results.get(name)!.minimalWrites = minimalWrites(workload);
        return workload;
      },
    };
  };

  try {
    for (let run = 1; run <= options.runs; run++) {
      for (const name of options.workloads) {
        const label = (peer: string) => `run ${run}/${options.runs} ${name} ${peer}`;
        let result = results.get(name);
        if (!result) {
          result = {
            workload: name,
            minimalWrites: 0,
            floorSequential: [],
            floorParallel: [],
            setupApply: [],
            setupApplyRerun: [],
            pulumi: [],
          };
          results.set(name, result);
          campaign.workloads.push(result);
        }
        if (options.peers.includes("floor")) {
          for (const concurrency of [1, FLOOR_PARALLELISM]) {
            const { sandbox: server, target, workload } = await fresh();
            const measured = await floorPeer(target, server, workload(name), concurrency);
            (concurrency === 1 ? result.floorSequential : result.floorParallel).push(measured);
            log(`${label(`REST floor x${concurrency}`)}: ${describe(measured)}`);
          }
        }
        if (options.peers.includes("setup")) {
          const { sandbox: server, target, workload } = await fresh();
          const setupFile = join(scratch, `${name}-setup.yaml`);
          await writeFile(setupFile, setupYaml(workload(name)));
          const { apply, rerun } = await setupApplyPeer(target, server, setupFile);
          result.setupApply.push(apply);
          result.setupApplyRerun.push(rerun);
          log(`${label("setup apply")}: ${describe(apply)}`);
          log(`${label("setup apply again")}: ${describe(rerun)}`);
        }
        if (options.peers.includes("pulumi")) {
          for (const { program, mode } of pulumiRuns(name, options)) {
            const { sandbox: server, target, workload } = await fresh();
            let project: PulumiProject | undefined;
            try {
              if (program === "platform") {
                project = await referenceProject(server.instance, proxy.uri);
              } else {
                const workloadFile = join(scratch, `${name}-workload.json`);
                await writeFile(workloadFile, JSON.stringify(workload(name)));
                project = await scaleProject(workloadFile, program);
                await connectScale(project, proxy.uri, server.endpoints);
              }
              const measured = await pulumiPeer(target, project, MODE_ENV[mode], options.parallel);
              let series = result.pulumi.find(
                (candidate) => candidate.program === program && candidate.mode === mode,
              );
              if (!series) {
                series = {
                  program,
                  mode,
                  resources: measured.resources,
                  providerBytes: measured.providerBytes,
                  steps: Object.fromEntries(PULUMI_STEPS.map((step) => [step, []])) as unknown as Record<
                    PulumiStep,
                    Measurement[]
                  >,
                };
                result.pulumi.push(series);
              }
              for (const step of PULUMI_STEPS) {
                series.steps[step].push(measured.steps[step]);
                log(`${label(`pulumi ${program} (${mode}) ${step}`)}: ${describe(measured.steps[step])}`);
              }
            } finally {
              await project?.dispose();
            }
          }
        }
      }
      await afterRun(campaign, run);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return campaign;
}
