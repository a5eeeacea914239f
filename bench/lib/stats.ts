/** Min, median and max over the runs of one measure. */

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) throw new Error("no runs to summarize");
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/** Run i of `ours` over run i of `peer`: runs are paired, each pair measured under the same load. */
export function ratioSpread(ours: number[], peer: number[]): Spread {
  const count = Math.min(ours.length, peer.length);
  return spread(Array.from({ length: count }, (_, index) => ours[index]! / peer[index]!));
}
