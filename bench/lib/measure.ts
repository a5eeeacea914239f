/**
 * One measured step: wall time, the requests Polaris received (through the counting proxy), the CPU
 * seconds Polaris spent on them, and, for a command, the peak RSS and CPU of its whole process tree.
 */
import { spawn } from "node:child_process";
import type { CountingProxy, RequestCounts } from "./counting-proxy";
import { cpuSeconds, processTree, sampleTree } from "./process-tree";

export interface Measurement {
  seconds: number;
  requests: RequestCounts;
  /** CPU seconds of Polaris' JVM during the step. */
  polarisCpuSeconds: number;
  /** CPU seconds of the measured client: the command's process tree, or this process for in-process clients. */
  clientCpuSeconds: number;
  /**
   * Seconds from the start to the first request Polaris received, and from the last answer to the end:
   * the client's own start-up and wind-down, as opposed to the time spent talking to Polaris.
   */
  beforeFirstRequestSeconds?: number;
  afterLastAnswerSeconds?: number;
  /** Peak of the summed RSS of the command's process tree; absent for in-process clients. */
  peakRssBytes?: number;
  /** Processes of the tree by name, with their peak RSS and CPU seconds, for the record. */
  processes?: { name: string; peakRssBytes: number; cpuSeconds: number }[];
}

export interface Target {
  proxy: CountingProxy;
  polarisPid: number;
}

export interface CommandResult extends Measurement {
  stdout: string;
  stderr: string;
}

export async function measureCommand(
  target: Target,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  await target.proxy.take();
  const polarisBefore = await cpuSeconds(target.polarisPid);
  const began = performance.now();
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const root = child.pid!;
  const sampler = sampleTree(root);
  target.proxy.candidates = async (fresh) =>
    fresh ? (await processTree(root)).map((stat) => stat.pid) : sampler.pids();
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGTERM"), options.timeoutMs ?? 1_800_000);
  const code = await new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exitCode) => resolve(exitCode ?? -1));
  });
  clearTimeout(timer);
  const ended = performance.now();
  const seconds = (ended - began) / 1000;
  const usage = await sampler.stop();
  const polarisAfter = await cpuSeconds(target.polarisPid);
  target.proxy.candidates = async () => [];
  const requests = await target.proxy.take();
  if (code !== 0) {
    const tail = (text: string) => text.split("\n").slice(-40).join("\n");
    throw new Error(
      `${command} ${args.join(" ")} exited ${code}\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`,
    );
  }
  return {
    seconds,
    requests,
    ...phases(requests, began, ended),
    polarisCpuSeconds: polarisAfter - polarisBefore,
    clientCpuSeconds: usage.cpuSeconds,
    peakRssBytes: usage.peakRssBytes,
    processes: usage.processes.map(({ name, peakRssBytes, cpuSeconds }) => ({
      name,
      peakRssBytes,
      cpuSeconds,
    })),
    stdout,
    stderr,
  };
}

function phases(requests: RequestCounts, began: number, ended: number) {
  if (requests.firstRequestAt === undefined || requests.lastAnswerAt === undefined) return {};
  return {
    beforeFirstRequestSeconds: (requests.firstRequestAt - began) / 1000,
    afterLastAnswerSeconds: Math.max(0, ended - requests.lastAnswerAt) / 1000,
  };
}

/** Measures a client that runs inside this process (the REST floor). */
export async function measureInProcess(target: Target, work: () => Promise<void>): Promise<Measurement> {
  await target.proxy.take();
  const polarisBefore = await cpuSeconds(target.polarisPid);
  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  await work();
  const ended = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const polarisAfter = await cpuSeconds(target.polarisPid);
  const requests = await target.proxy.take();
  return {
    seconds: (ended - began) / 1000,
    requests,
    ...phases(requests, began, ended),
    polarisCpuSeconds: polarisAfter - polarisBefore,
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}
