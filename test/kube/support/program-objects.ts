import type { KubeObject } from "../../support/kube-apiserver";
import { recordEngine, runProgram, stackConfig } from "../../unit/platform/support/program";
import { isKubernetesObject, manifestOf } from "./objects";

/**
 * The Kubernetes objects the real program (stacks/index.ts) renders for a stack, captured by the platform
 * tests' mock recorder with the stack's own Pulumi.<stack>.yaml.
 */
export async function programObjects(stack: "local" | "prod"): Promise<KubeObject[]> {
  const engine = await recordEngine(stack);
  await runProgram(engine, stackConfig(stack));
  return engine.registrations.filter(isKubernetesObject).map(manifestOf);
}

/** How many verdicts there are of each kind, e.g. { Deployment: 2, Pod: 2 }. */
export function countByKind(objects: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const object of objects) {
    const kind = object.split(" ")[0]!;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
