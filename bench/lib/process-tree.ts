/**
 * What a measured command costs the machine, read from /proc: the peak of the summed RSS of its process
 * tree (the pulumi CLI, the language host, the program and the provider hosts), the CPU seconds of that
 * tree, and which of its processes owns a given TCP connection (to attribute token requests to processes).
 */
import { readdir, readFile, readlink } from "node:fs/promises";

const PAGE_BYTES = 4096;
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  name: string;
  cpuTicks: number;
  rssBytes: number;
}

/** /proc/<pid>/stat; undefined when the process is gone. */
async function readStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    // The name may hold spaces and parentheses: fields resume after the last ")".
    const close = text.lastIndexOf(")");
    const name = text.slice(text.indexOf("(") + 1, close);
    const fields = text
      .slice(close + 2)
      .trim()
      .split(" ");
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, rss (pages) 24.
    return {
      pid,
      ppid: Number(fields[1]),
      name,
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      rssBytes: Number(fields[21]) * PAGE_BYTES,
    };
  } catch {
    return undefined;
  }
}

async function allStats(): Promise<ProcStat[]> {
  const pids = (await readdir("/proc")).filter((entry) => /^\d+$/.test(entry)).map(Number);
  const stats = await Promise.all(pids.map(readStat));
  return stats.filter((stat): stat is ProcStat => stat !== undefined);
}

/** The process `root` and all its descendants, as they are now. */
export async function processTree(root: number): Promise<ProcStat[]> {
  const stats = await allStats();
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  }
  const tree = stats.filter((stat) => stat.pid === root);
  for (let index = 0; index < tree.length; index++) {
    tree.push(...(children.get(tree[index]!.pid) ?? []));
  }
  return tree;
}

/** CPU seconds a process has used so far (user + system). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readStat(pid);
  return stat ? stat.cpuTicks / TICKS_PER_SECOND : 0;
}

export interface TreeUsage {
  /** The highest sum of RSS over the tree at one sample. */
  peakRssBytes: number;
  /** CPU seconds of every process seen in the tree (each up to its last sample). */
  cpuSeconds: number;
  /** Each process seen, with its own peak RSS and CPU seconds. */
  processes: { pid: number; name: string; peakRssBytes: number; cpuSeconds: number }[];
}

/** Samples the tree of `root` every `intervalMs` until the returned stop() is called. */
export function sampleTree(root: number, intervalMs = 100): { stop(): Promise<TreeUsage>; pids(): number[] } {
  const seen = new Map<number, { name: string; peakRssBytes: number; cpuTicks: number }>();
  let peakRssBytes = 0;
  let running = true;
  let latest: number[] = [root];
  const sample = async () => {
    const tree = await processTree(root);
    latest = tree.map((stat) => stat.pid);
    let total = 0;
    for (const stat of tree) {
      total += stat.rssBytes;
      const known = seen.get(stat.pid) ?? { name: stat.name, peakRssBytes: 0, cpuTicks: 0 };
      known.name = stat.name;
      known.peakRssBytes = Math.max(known.peakRssBytes, stat.rssBytes);
      known.cpuTicks = Math.max(known.cpuTicks, stat.cpuTicks);
      seen.set(stat.pid, known);
    }
    peakRssBytes = Math.max(peakRssBytes, total);
  };
  const loop = (async () => {
    while (running) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    /** The tree's pids at the last sample. */
    pids: () => latest,
    async stop() {
      running = false;
      await loop;
      const processes = [...seen.entries()].map(([pid, known]) => ({
        pid,
        name: known.name,
        peakRssBytes: known.peakRssBytes,
        cpuSeconds: known.cpuTicks / TICKS_PER_SECOND,
      }));
      const ticks = [...seen.values()].reduce((sum, known) => sum + known.cpuTicks, 0);
      return { peakRssBytes, cpuSeconds: ticks / TICKS_PER_SECOND, processes };
    },
  };
}

/**
 * Inodes of the loopback TCP sockets whose local port is `localPort` and remote port `remotePort`: the
 * client end of a connection to `remotePort`. Read at once when the connection arrives, while it is open.
 */
export async function socketInodes(localPort: number, remotePort: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(table, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      if (fields[1]!.endsWith(`:${hex(localPort)}`) && fields[2]!.endsWith(`:${hex(remotePort)}`)) {
        inodes.add(fields[9]!);
      }
    }
  }
  return inodes;
}

/** The pid, among `candidates`, holding one of the sockets `inodes`; undefined when none does (any more). */
export async function socketOwner(inodes: Set<string>, candidates: number[]): Promise<number | undefined> {
  if (inodes.size === 0) return undefined;
  for (const pid of candidates) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => "")));
    for (const target of targets) {
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) return pid;
    }
  }
  return undefined;
}
