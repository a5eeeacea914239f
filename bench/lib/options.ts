/** The benchmark's command line (see scripts/benchmark --help). */
import { join } from "node:path";
import { MODES, type Mode } from "./modes";
import { repoRoot } from "./sandbox";
import { WORKLOAD_NAMES, type WorkloadName } from "./workload";

export const PEERS = ["floor", "setup", "pulumi"] as const;
export type Peer = (typeof PEERS)[number];
export const SHAPES = ["sets", "grants"] as const;
export type Shape = (typeof SHAPES)[number];

export interface Options {
  runs: number;
  workloads: WorkloadName[];
  peers: Peer[];
  /** Grant shapes of the scale stack's Pulumi program. */
  shapes: Shape[];
  /** How pulumi runs (see modes.ts). */
  modes: Mode[];
  /** Also run the additive-grants shape in the default mode (per-step checkpoints; about an hour a run). */
  grantsDefault: boolean;
  output: string;
  /** Write the Markdown table into README.md between the benchmark markers. */
  readme: boolean;
  instance: string;
  /** `pulumi --parallel`; undefined leaves the CLI's default (4 x GOMAXPROCS). */
  parallel?: number;
  /** Measure nothing: render the table (and goals) from this results file. */
  from?: string;
}

export const USAGE = `usage: scripts/benchmark [--runs N] [--workloads reference,scale] [--peers floor,setup,pulumi]
                         [--shapes sets,grants] [--modes default,tuned] [--grants-default] [--parallel N]
                         [--output FILE] [--no-readme] [--instance NAME] [--from FILE]

  --runs N         measured runs per peer and workload (default 3); results are min/median/max over them
  --workloads      reference (the reference platform) and/or scale (500 namespaces, 2,000 grants); default both
  --peers          floor (minimal REST calls), setup (polaris setup apply), pulumi (ours); default all
  --shapes         grant shapes of the scale stack's Pulumi program: sets (authoritative), grants (additive)
  --modes          how pulumi runs: default (as installed: state saved after every step) and/or tuned
                   (PULUMI_SKIP_CHECKPOINTS=true, NODE_OPTIONS=--max-semi-space-size=8); default both
  --grants-default also run the additive-grants shape in the default mode (2,600 resources, each step
                   saving the whole state: about an hour per run, so left out unless asked)
  --parallel N     pass --parallel N to pulumi (default: the CLI's own, 4 x cores)
  --output FILE    where the JSON goes (default bench/results/benchmark.json)
  --no-readme      do not rewrite the table in README.md
  --instance NAME  the sandbox instance to start and restart (default bench)
  --from FILE      measure nothing: write the README table from an earlier results file`;

function list<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const items = value.split(",").filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw new Error(`${flag}: unknown "${item}"; choose from ${allowed.join(", ")}`);
  }
  if (items.length === 0) throw new Error(`${flag} needs at least one of ${allowed.join(", ")}`);
  return items as T[];
}

function positive(flag: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`${flag} needs a whole number >= 1, got "${value}"`);
  return number;
}

export function parseOptions(argv: string[]): Options {
  const options: Options = {
    runs: 3,
    workloads: [...WORKLOAD_NAMES],
    peers: [...PEERS],
    shapes: [...SHAPES],
    modes: [...MODES],
    grantsDefault: false,
    output: join(repoRoot, "bench", "results", "benchmark.json"),
    readme: true,
    instance: "bench",
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]!;
    const value = () => {
      const next = argv[++index];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--runs":
        options.runs = positive(flag, value());
        break;
      case "--workloads":
        options.workloads = list(flag, value(), WORKLOAD_NAMES);
        break;
      case "--peers":
        options.peers = list(flag, value(), PEERS);
        break;
      case "--shapes":
        options.shapes = list(flag, value(), SHAPES);
        break;
      case "--modes":
        options.modes = list(flag, value(), MODES);
        break;
      case "--grants-default":
        options.grantsDefault = true;
        break;
      case "--parallel":
        options.parallel = positive(flag, value());
        break;
      case "--output":
        options.output = value();
        break;
      case "--no-readme":
        options.readme = false;
        break;
      case "--from":
        options.from = value();
        break;
      case "--instance":
        options.instance = value();
        break;
      default:
        throw new Error(`unknown option "${flag}"\n${USAGE}`);
    }
  }
  return options;
}
