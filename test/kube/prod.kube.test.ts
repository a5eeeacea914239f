import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KubeApiServer, startKubeApiServer } from "../support/kube-apiserver";
import { dryRunRendered, notClean, type Verdict } from "./support/dry-run";
import { countByKind, programObjects } from "./support/program-objects";

// The real program (stacks/index.ts) with Pulumi.prod.yaml, rendered under mocks, and every Kubernetes
// object it renders sent to a real kube-apiserver with dryRun=All, then a Pod from each workload.

let server: KubeApiServer;
let verdicts: Verdict[];

beforeAll(async () => {
  const objects = await programObjects("prod");
  server = await startKubeApiServer();
  console.info(`kube-apiserver ${server.version} ready in ${(server.startMs / 1000).toFixed(1)} s`);
  verdicts = await dryRunRendered(server.client, objects);
  console.info(`prod: ${verdicts.length} objects dry-run`);
});

afterAll(async () => {
  await server?.stop();
});

describe("prod (Pulumi.prod.yaml) on a real kube-apiserver with PodSecurity restricted", () => {
  it("accepts every object, the server's pod and the bootstrap Job's pod, with no warning", () => {
    expect(notClean(verdicts)).toEqual([]);
    // The namespace exists already in prod (created here as a prerequisite, labelled restricted); the
    // database, token-broker and TLS Secrets are the operator's, so only the root credentials are rendered.
    expect(countByKind(verdicts.map((verdict) => verdict.object))).toEqual({
      ServiceAccount: 1,
      Secret: 1,
      ConfigMap: 1,
      Job: 1,
      Deployment: 1,
      Service: 1,
      NetworkPolicy: 1,
      PodDisruptionBudget: 1,
      HorizontalPodAutoscaler: 1,
      Ingress: 1,
      Pod: 2,
    });
  });
});
