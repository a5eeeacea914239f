/**
 * How `pulumi` runs in the benchmark. `default` is Pulumi as installed. `tuned` is what the README
 * recommends for large stacks: the file backend saves state once at the end instead of after every step
 * (PULUMI_SKIP_CHECKPOINTS), and Node's young generation stays small (the SDK's per-resource promises
 * otherwise grow it to 128 MiB per process).
 */
export const MODES = ["default", "tuned"] as const;
export type Mode = (typeof MODES)[number];

export const MODE_ENV: Record<Mode, Record<string, string>> = {
  default: {},
  tuned: { PULUMI_SKIP_CHECKPOINTS: "true", NODE_OPTIONS: "--max-semi-space-size=8" },
};
