import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { PolarisServiceIdentity as PolarisServiceIdentityType } from "../../../src/aws/polaris-service-identity";
import type { PolicyDocument } from "../../../src/aws/policies";
import { recordResources, outputValue as resolved } from "../../support/mocks";
import { settled } from "./support/settle";
import { ACCOUNT, decide, parsePolicy } from "./support/simulate";

type Recorder = Awaited<ReturnType<typeof recordResources>>;
let recorder: Recorder;
let PolarisServiceIdentity: typeof PolarisServiceIdentityType;

beforeAll(async () => {
  recorder = await recordResources();
  ({ PolarisServiceIdentity } = await import("../../../src/aws/polaris-service-identity"));
});

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF";
const OIDC_PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;
const inputsOf = (type: string, name: string) => recorder.one(type, name).inputs;

describe("PolarisServiceIdentity with the defaults", () => {
  let identity: PolarisServiceIdentityType;
  let permissions: PolicyDocument;
  beforeAll(async () => {
    identity = new PolarisServiceIdentity("polaris", { oidcProviderArn: OIDC_PROVIDER_ARN });
    await resolved(identity.serviceAccountAnnotations);
    await settled(() => recorder.registered.length);
    permissions = parsePolicy(inputsOf(ROLE_POLICY, "polaris-assume-catalog-roles").policy);
  });

  it("registers a role outside /polaris/catalog/ and its inline policy, named after the component", () => {
    const children = recorder.registered
      .filter((r) => r.name.startsWith("polaris-"))
      .map((r) => `${r.type} ${r.name}`)
      .sort();
    expect(children).toEqual([`${ROLE} polaris-role`, `${ROLE_POLICY} polaris-assume-catalog-roles`].sort());
    expect(inputsOf(ROLE, "polaris-role").path, "it must not be able to assume itself").toBe("/polaris/");
    expect(inputsOf(ROLE_POLICY, "polaris-assume-catalog-roles").role).toBe("polaris-role-id");
  });

  it("is trusted by the cluster's OIDC provider for service account polaris/polaris and audience STS only", () => {
    // iam-simulate does not evaluate issuer-specific keys such as "<issuer>:sub", so this policy is checked
    // by its content rather than simulated.
    expect(parsePolicy(inputsOf(ROLE, "polaris-role").assumeRolePolicy).Statement).toEqual([
      {
        Sid: "ServiceAccountWebIdentity",
        Effect: "Allow",
        Principal: { Federated: OIDC_PROVIDER_ARN },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${ISSUER}:sub`]: "system:serviceaccount:polaris:polaris",
            [`${ISSUER}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ]);
  });

  it("annotates the service account with the role and reports which roles it may assume", async () => {
    expect(await resolved(identity.serviceAccountAnnotations)).toEqual({
      "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT}:role/polaris/polaris-role`,
    });
    expect(await resolved(identity.catalogRoleArnPattern)).toBe(
      `arn:aws:iam::${ACCOUNT}:role/polaris/catalog/*`,
    );
  });

  it("may assume roles under /polaris/catalog/ of its account and no other role", async () => {
    // Each target role trusts the whole account, so the identity's own policy is what decides.
    const trustsAccount: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" },
      ],
    };
    const assume = (roleArn: string, resourceAccount = ACCOUNT) =>
      decide(
        { identity: [permissions], resource: trustsAccount },
        {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/polaris-role/polaris-pod`,
          action: "sts:AssumeRole",
          resource: roleArn,
          resourceAccount,
        },
      );
    expect(await assume(`arn:aws:iam::${ACCOUNT}:role/polaris/catalog/x`)).toBe("Allowed");
    expect(await assume(`arn:aws:iam::${ACCOUNT}:role/polaris/catalog/demo-role-1a2b3c4`)).toBe("Allowed");
    for (const denied of [
      `arn:aws:iam::${ACCOUNT}:role/admin`,
      `arn:aws:iam::${ACCOUNT}:role/polaris/other/x`,
      `arn:aws:iam::${ACCOUNT}:role/polaris/catalog-evil`,
      `arn:aws:iam::${ACCOUNT}:role/polaris/polaris-role`,
    ]) {
      expect(await assume(denied), denied).toBe("ImplicitlyDenied");
    }
    expect(await assume("arn:aws:iam::210987654321:role/polaris/catalog/x", "210987654321")).toBe(
      "ImplicitlyDenied",
    );
  });

  it("can do nothing but assume catalog roles", async () => {
    const request = (action: string, resource: string) =>
      decide(
        { identity: [permissions] },
        { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/polaris-role/p`, action, resource },
      );
    expect(await request("s3:GetObject", "arn:aws:s3:::acme-warehouse/warehouse/demo/x")).toBe(
      "ImplicitlyDenied",
    );
    expect(await request("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/polaris/catalog/x`)).toBe(
      "ImplicitlyDenied",
    );
  });
});

describe("PolarisServiceIdentity options", () => {
  it("trusts the given namespace and service account, and takes the issuer from oidcProviderUrl", async () => {
    const identity = new PolarisServiceIdentity("custom", {
      oidcProviderArn: OIDC_PROVIDER_ARN,
      oidcProviderUrl: pulumi.output(`https://${ISSUER}`),
      namespace: "data-platform",
      serviceAccountName: "polaris-server",
    });
    await resolved(identity.roleArn);
    const trust = parsePolicy(inputsOf(ROLE, "custom-role").assumeRolePolicy);
    expect(trust.Statement[0]?.Condition).toEqual({
      StringEquals: {
        [`${ISSUER}:sub`]: "system:serviceaccount:data-platform:polaris-server",
        [`${ISSUER}:aud`]: "sts.amazonaws.com",
      },
    });
  });

  it("refuses an ARN that is not an OIDC provider's, naming the argument", () => {
    const attempt = () =>
      new PolarisServiceIdentity("bad", { oidcProviderArn: `arn:aws:iam::${ACCOUNT}:role/not-a-provider` });
    expect(attempt).toThrow(pulumi.ResourceError);
    expect(attempt).toThrow(
      /oidcProviderArn "arn:aws:iam::123456789012:role\/not-a-provider" is not an IAM OIDC provider ARN/,
    );
  });
});
