import { beforeAll, expect, it } from "vitest";
import type { PolicySubject } from "../../../src/policy";
import { recordEngine, runProgram, stackConfig } from "../platform/support/program";
import { evaluate, subjectsOf } from "./support";

// The local program (Pulumi.local.yaml: Polaris and LocalStack on a local cluster) under mocks passes the
// pack too: the rules for every stack apply to it, the production rules do not.

let subjects: PolicySubject[];

beforeAll(async () => {
  const engine = await recordEngine("local");
  await runProgram(engine, stackConfig("local"));
  subjects = subjectsOf(engine);
});

it("the local program passes every rule, though its catalog is not protected", () => {
  expect(subjects.find((s) => s.type === "pulumi-nodejs:dynamic/polaris:Catalog")?.protect).toBeFalsy();
  expect(evaluate(subjects)).toEqual([]);
});

it("its emulator bucket is exempt from bucket-hardening only while LocalS3Storage is exempt", () => {
  const bucket = subjects.find((s) => s.type === "aws:s3/bucket:Bucket")!;
  expect(bucket.urn).toContain("polaris:k8s:LocalS3Storage$aws:s3/bucket:Bucket");
  const violations = evaluate(subjects, { "bucket-hardening": { exemptComponents: [] } });
  expect(violations.map((v) => [v.rule, v.urn])).toEqual([["bucket-hardening", bucket.urn]]);
});
