/** The machine the benchmark ran on, and whether other work shared it (load, other servers and CLIs). */
import { readdir, readFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";

export interface MachineState {
  at: string;
  /** 1, 5 and 15 minute load averages. */
  loadAverage: number[];
  /** Polaris servers other than the benchmark's own (other sandboxes). */
  otherPolarisServers: number;
  /** pulumi CLI processes running while the benchmark itself ran none. */
  otherPulumiProcesses: number;
}

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  start: MachineState;
  end?: MachineState;
  /** Load above half the cores, or other servers or CLIs running, at the start or the end. */
  busy?: boolean;
}

async function commandLines(): Promise<{ pid: number; command: string }[]> {
  const pids = (await readdir("/proc")).filter((entry) => /^\d+$/.test(entry)).map(Number);
  const lines = await Promise.all(
    pids.map(async (pid) => ({
      pid,
      command: (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " "),
    })),
  );
  return lines.filter((line) => line.command.length > 0);
}

export async function machineState(ownPolarisPid?: number): Promise<MachineState> {
  const lines = await commandLines();
  return {
    at: new Date().toISOString(),
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
    otherPolarisServers: lines.filter(
      (line) => line.command.includes("quarkus-run.jar") && line.pid !== ownPolarisPid,
    ).length,
    otherPulumiProcesses: lines.filter((line) => /(^|\/)pulumi\s/.test(line.command)).length,
  };
}

export async function describeMachine(): Promise<Machine> {
  const processors = cpus();
  return {
    cores: processors.length,
    cpuModel: processors[0]?.model ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    start: await machineState(),
  };
}

export function isBusy(machine: Machine): boolean {
  return [machine.start, machine.end ?? machine.start].some(
    (state) =>
      state.loadAverage[0]! > machine.cores / 2 ||
      state.otherPolarisServers > 0 ||
      state.otherPulumiProcesses > 0,
  );
}
