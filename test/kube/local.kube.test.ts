import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-apiserver";
import { dryRunRendered, notClean, type Verdict } from "./support/dry-run";
import { countByKind, programObjects } from "./support/program-objects";

// The real program (stacks/index.ts) with Pulumi.local.yaml, rendered under mocks, and every Kubernetes
// object it renders sent to a real kube-apiserver with dryRun=All, then a Pod from each workload.

let server: KubeApiServer;
let verdicts: Verdict[];

beforeAll(async () => {
  const objects = await programObjects("local");
  server = await startKubeApiServer();
  console.info(`kube-apiserver ${server.version} ready in ${(server.startMs / 1000).toFixed(1)} s`);
  verdicts = await dryRunRendered(server.client, objects);
  console.info(`local: ${verdicts.length} objects dry-run`);
});

afterAll(async () => {
  await server?.stop();
});

describe("local (Pulumi.local.yaml) on a real kube-apiserver with PodSecurity restricted", () => {
  it("accepts every object and the pods of both workloads, with no warning", () => {
    expect(notClean(verdicts)).toEqual([]);
    expect(countByKind(verdicts.map((verdict) => verdict.object))).toEqual({
      Namespace: 1,
      ServiceAccount: 1,
      ConfigMap: 1,
      // Polaris' root credentials and S3 keys, the emulator's keys, and the two personas' credentials.
      Secret: 5,
      Service: 2,
      NetworkPolicy: 1,
      Deployment: 2,
      Pod: 2,
    });
  });

  it("runs Polaris and the moto emulator in one namespace that enforces restricted", () => {
    expect(
      verdicts.filter((verdict) => verdict.object.startsWith("Pod ")).map((verdict) => verdict.object),
    ).toEqual([
      expect.stringMatching(/^Pod polaris\/warehouse-s3-[0-9a-f]{8}-pod$/),
      "Pod polaris/polaris-pod",
    ]);
  });
});
