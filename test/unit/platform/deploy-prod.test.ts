import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { REFERENCE_PLATFORM } from "../../../src/platform/reference";
import { ACCOUNT, decide, parsePolicy } from "../aws/support/simulate";
import { envOf, K8S, podOf, restrictedViolations, validateObject } from "./support/kubernetes";
import {
  type Engine,
  type Json,
  type ProgramOutputs,
  principalClientId,
  principalSecret,
  recordEngine,
  resolved,
  runProgram,
  stackConfig,
} from "./support/program";

// The real program (stacks/index.ts) with the config of Pulumi.prod.yaml, against the mocked engine.

const DYNAMIC = "pulumi-nodejs:dynamic/polaris";
const SERVER = "polaris:k8s:PolarisServer";
const BUCKET = "polaris:aws:WarehouseBucket";
const IDENTITY = "polaris:aws:PolarisServiceIdentity";
const STORAGE_ROLE = "polaris:aws:CatalogStorageRole";
const PLATFORM = "polaris-pulumi:platform:PolarisPlatform";
const CREDENTIALS = "polaris-pulumi:platform:PrincipalCredentials";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const RANDOM = "random:index/randomPassword:RandomPassword";
const ROOT_SECRET = "mock-polaris-root-client-secret-random";
const EXTERNAL_ID = "mock-demo-catalog-external-id-random";
const SECRETS = [ROOT_SECRET, EXTERNAL_ID, principalSecret("engineer"), principalSecret("analyst")];
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE";
const IDENTITY_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/polaris/polaris-identity-role`;
const CATALOG_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/polaris/catalog/demo-catalog-role`;

let engine: Engine;
let program: ProgramOutputs;

beforeAll(async () => {
  engine = await recordEngine("prod");
  program = await runProgram(engine, stackConfig("prod"));
});

const inputsOf = (type: string, name: string): Json => engine.one(type, name).inputs;

describe("prod: Polaris on EKS with S3, IAM and IRSA (Pulumi.prod.yaml)", () => {
  it("registers 51 resources, each child under the component that made it", () => {
    const graph = engine.registrations.map((r) => `${r.type} ${r.name} <- ${engine.parentType(r)}`).sort();
    const platformChildren = [
      `${DYNAMIC}:Catalog demo_catalog`,
      ...REFERENCE_PLATFORM.namespaces.map((path) => `${DYNAMIC}:Namespace ${path}`),
      `${DYNAMIC}:CatalogRole demo_data_admin`,
      `${DYNAMIC}:CatalogGrantSet demo_data_admin-grants`,
      `${DYNAMIC}:CatalogRoleAssignment demo_data_admin-service_admin`,
      ...REFERENCE_PLATFORM.personas.flatMap((p) => [
        `${DYNAMIC}:PrincipalRole ${p.principalRole}`,
        `${DYNAMIC}:CatalogRole ${p.catalogRole}`,
        `${DYNAMIC}:CatalogGrantSet ${p.catalogRole}-grants`,
        `${DYNAMIC}:CatalogRoleAssignment ${p.catalogRole}-${p.principalRole}`,
        `${DYNAMIC}:Principal ${p.principal}`,
        `${DYNAMIC}:PrincipalRoleAssignment ${p.principal}-${p.principalRole}`,
      ]),
    ].map((child) => `${child} <- ${PLATFORM}`);
    expect(graph).toEqual(
      [
        `${BUCKET} warehouse <- `,
        `${IDENTITY} polaris-identity <- `,
        `${STORAGE_ROLE} demo-catalog <- `,
        `${SERVER} polaris <- `,
        `${PLATFORM} platform <- `,
        `${CREDENTIALS} principal-credentials <- `,
        `aws:s3/bucket:Bucket warehouse-bucket <- ${BUCKET}`,
        `aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock warehouse-public-access-block <- ${BUCKET}`,
        `aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration warehouse-encryption <- ${BUCKET}`,
        `aws:s3/bucketVersioning:BucketVersioning warehouse-versioning <- ${BUCKET}`,
        `aws:s3/bucketPolicy:BucketPolicy warehouse-tls-only <- ${BUCKET}`,
        `${ROLE} polaris-identity-role <- ${IDENTITY}`,
        `${ROLE_POLICY} polaris-identity-assume-catalog-roles <- ${IDENTITY}`,
        `${RANDOM} demo-catalog-external-id <- ${STORAGE_ROLE}`,
        `${ROLE} demo-catalog-role <- ${STORAGE_ROLE}`,
        `${ROLE_POLICY} demo-catalog-storage <- ${STORAGE_ROLE}`,
        `${RANDOM} polaris-root-client-secret <- ${SERVER}`,
        `${K8S.serviceAccount} polaris-service-account <- ${SERVER}`,
        `${K8S.secret} polaris-root-credentials <- ${SERVER}`,
        `${K8S.configMap} polaris-config <- ${SERVER}`,
        `${K8S.job} polaris-bootstrap <- ${SERVER}`,
        `${K8S.deployment} polaris-server <- ${SERVER}`,
        `${K8S.service} polaris-server <- ${SERVER}`,
        `${K8S.networkPolicy} polaris-network-policy <- ${SERVER}`,
        `${K8S.pdb} polaris-pdb <- ${SERVER}`,
        `${K8S.hpa} polaris-hpa <- ${SERVER}`,
        `${K8S.ingress} polaris-ingress <- ${SERVER}`,
        ...platformChildren,
        `aws:secretsmanager/secret:Secret principal-credentials-engineer <- ${CREDENTIALS}`,
        `aws:secretsmanager/secretVersion:SecretVersion principal-credentials-engineer-value <- ${CREDENTIALS}`,
        `aws:secretsmanager/secret:Secret principal-credentials-analyst <- ${CREDENTIALS}`,
        `aws:secretsmanager/secretVersion:SecretVersion principal-credentials-analyst-value <- ${CREDENTIALS}`,
      ].sort(),
    );
    expect(graph).toHaveLength(51);
  });

  it("runs three JDBC replicas (minimum of the autoscaler) sharing the token-broker keys, in the existing namespace", () => {
    expect(engine.ofType(K8S.namespace), "the namespace holds the Secrets the server reads").toEqual([]);
    const deployment = inputsOf(K8S.deployment, "polaris-server");
    expect(deployment.metadata).toMatchObject({ name: "polaris", namespace: "polaris" });
    expect(deployment.spec.replicas, "the autoscaler owns the count").toBeUndefined();
    expect(inputsOf(K8S.hpa, "polaris-hpa").spec).toMatchObject({ minReplicas: 3, maxReplicas: 6 });
    expect(inputsOf(K8S.pdb, "polaris-pdb").spec.maxUnavailable).toBe(1);
    const properties = String(inputsOf(K8S.configMap, "polaris-config").data["application.properties"]);
    expect(properties).toContain("polaris.persistence.type=relational-jdbc\n");
    expect(properties).toContain("polaris.authentication.token-broker.type=rsa-key-pair\n");
    expect(properties).toContain('polaris.features."SUPPORTED_CATALOG_STORAGE_TYPES"=["S3"]\n');

    const pod = podOf(deployment);
    const env = envOf(pod.containers[0]);
    expect(env.QUARKUS_DATASOURCE_PASSWORD.valueFrom.secretKeyRef.name).toBe("polaris-db");
    expect(env.AWS_REGION).toEqual({ name: "AWS_REGION", value: "eu-west-1" });
    expect(JSON.stringify(pod.volumes)).toContain('"secretName":"polaris-token-broker"');
    const job = podOf(inputsOf(K8S.job, "polaris-bootstrap"));
    expect(JSON.stringify(job.containers[0].env)).toContain('"name":"polaris-db"');
  });

  it("serves the API on the TLS Ingress host, and manages Polaris through it once it is ready", () => {
    const ingress = inputsOf(K8S.ingress, "polaris-ingress");
    expect(ingress.spec.tls).toEqual([{ hosts: ["polaris.example.com"], secretName: "polaris-tls" }]);
    expect(ingress.spec.rules[0].host).toBe("polaris.example.com");
    const catalog = engine.one(`${DYNAMIC}:Catalog`, "demo_catalog");
    expect(catalog.inputs.connection).toEqual({
      uri: "https://polaris.example.com",
      realm: "POLARIS",
      clientId: "root",
      clientSecret: ROOT_SECRET,
      scope: "PRINCIPAL_ROLE:service_admin",
    });
    expect(catalog.redactedInputs.connection).toBe("[secret]");
  });

  it("annotates the ServiceAccount with Polaris' IRSA role, whose trust names exactly that ServiceAccount", () => {
    const account = inputsOf(K8S.serviceAccount, "polaris-service-account");
    expect(account.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": IDENTITY_ROLE_ARN });
    expect(podOf(inputsOf(K8S.deployment, "polaris-server")).serviceAccountName).toBe(account.metadata.name);
    // The policy simulator does not evaluate OIDC condition keys, so the trust statement is read directly.
    const trust = parsePolicy(inputsOf(ROLE, "polaris-identity-role").assumeRolePolicy);
    expect(trust.Statement).toEqual([
      {
        Sid: "ServiceAccountWebIdentity",
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${ISSUER}:sub`]: `system:serviceaccount:${account.metadata.namespace}:${account.metadata.name}`,
            [`${ISSUER}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ]);
  });

  it("gives the catalog the storage role for s3://acme-warehouse/demo_catalog/, external id included, as a secret", async () => {
    const catalog = engine.one(`${DYNAMIC}:Catalog`, "demo_catalog");
    expect(catalog.inputs.defaultBaseLocation).toBe("s3://acme-warehouse/demo_catalog/");
    expect(catalog.inputs.storage).toEqual({
      storageType: "S3",
      roleArn: CATALOG_ROLE_ARN,
      externalId: EXTERNAL_ID,
      region: "eu-west-1",
      allowedLocations: ["s3://acme-warehouse/demo_catalog/"],
    });
    expect(catalog.redactedInputs.storage).toBe("[secret]");

    // The chain the catalog's storage sets up: Polaris' IRSA role assumes the catalog role with that id.
    const polarisAssumes = (externalId: string) =>
      decide(
        {
          identity: [parsePolicy(inputsOf(ROLE_POLICY, "polaris-identity-assume-catalog-roles").policy)],
          resource: parsePolicy(inputsOf(ROLE, "demo-catalog-role").assumeRolePolicy),
        },
        {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/polaris-identity-role/polaris-pod`,
          action: "sts:AssumeRole",
          resource: catalog.inputs.storage.roleArn,
          context: { "sts:ExternalId": externalId },
        },
      );
    expect(await polarisAssumes(catalog.inputs.storage.externalId)).toBe("Allowed");
    expect(await polarisAssumes("another-id")).not.toBe("Allowed");
  });

  it("protects the catalog and its namespaces, and nothing else of the platform", () => {
    const management = engine.registrations.filter((r) => r.type.startsWith(DYNAMIC));
    const protectedOnes = management.filter((r) => r.protect === true).map((r) => r.name);
    expect(protectedOnes.sort()).toEqual(["demo_catalog", ...REFERENCE_PLATFORM.namespaces].sort());
  });

  it("delivers each persona's credentials to Secrets Manager under its secret_ref, the value a secret", () => {
    for (const persona of REFERENCE_PLATFORM.personas) {
      const secret = engine.one(
        "aws:secretsmanager/secret:Secret",
        `principal-credentials-${persona.principal}`,
      );
      expect(secret.inputs.name).toBe(persona.secretRef);
      const version = engine.one(
        "aws:secretsmanager/secretVersion:SecretVersion",
        `principal-credentials-${persona.principal}-value`,
      );
      expect(version.inputs.secretId).toBe(persona.secretRef);
      expect(JSON.parse(version.inputs.secretString)).toEqual({
        clientId: principalClientId(persona.principal),
        clientSecret: principalSecret(persona.principal),
      });
      expect(version.redactedInputs.secretString).toBe("[secret]");
    }
    expect(engine.ofType("kubernetes:core/v1:Secret").map((s) => s.name)).toEqual([
      "polaris-root-credentials",
    ]);
  });
});

describe("prod has no static AWS credentials", () => {
  it("registers no AWS provider with keys, no IAM user or access key, and no key in any Secret or env", () => {
    const types = new Set(engine.registrations.map((r) => r.type));
    for (const type of [
      "aws:iam/user:User",
      "aws:iam/accessKey:AccessKey",
      "aws:iam/userPolicy:UserPolicy",
    ]) {
      expect(types.has(type), type).toBe(false);
    }
    // Every AWS resource uses the default provider: the operator's own session, never keys in the program.
    expect(engine.ofType("pulumi:providers:aws")).toEqual([]);
    expect(engine.registrations.filter((r) => r.type.startsWith("aws:") && r.provider !== "")).toEqual([]);
    const pods = [inputsOf(K8S.deployment, "polaris-server"), inputsOf(K8S.job, "polaris-bootstrap")];
    for (const pod of pods) {
      for (const container of podOf(pod).containers) {
        const env = envOf(container);
        expect(env.AWS_ACCESS_KEY_ID, container.name).toBeUndefined();
        expect(env.AWS_SECRET_ACCESS_KEY, container.name).toBeUndefined();
      }
    }
    const everything = JSON.stringify(engine.registrations.map((r) => r.inputs));
    expect(everything).not.toMatch(/AKIA[0-9A-Z]{16}|aws_secret_access_key|AWS_SECRET_ACCESS_KEY/i);
  });
});

describe("prod Kubernetes objects", () => {
  const objects = () => engine.registrations.filter((r) => r.type.startsWith("kubernetes:"));

  it("validates all 10 against the upstream schemas", () => {
    expect(objects()).toHaveLength(10);
    for (const object of objects()) {
      expect(() => validateObject(object.type, object.inputs), `${object.type} ${object.name}`).not.toThrow();
    }
    const broken = structuredClone(inputsOf(K8S.ingress, "polaris-ingress"));
    broken.spec.rules[0].http.paths[0].pathType = 7;
    expect(() => validateObject(K8S.ingress, broken), "the check can fail").toThrow();
  });

  it("runs the server and the bootstrap Job under the restricted Pod Security Standard", () => {
    expect(restrictedViolations(podOf(inputsOf(K8S.deployment, "polaris-server")))).toEqual([]);
    expect(restrictedViolations(podOf(inputsOf(K8S.job, "polaris-bootstrap")))).toEqual([]);
  });
});

describe("prod outputs", () => {
  it("exports the catalog URI on the Ingress host, and credentials and engine settings only as secrets", async () => {
    expect(await resolved(program.catalogUri)).toBe("https://polaris.example.com/api/catalog");
    expect(await pulumi.isSecret(program.credentials)).toBe(true);
    expect(await pulumi.isSecret(program.engines)).toBe(true);
    for (const plain of ["catalogUri", "warehouseName", "namespaces", "floeCatalogs"] as const) {
      expect(await pulumi.isSecret(pulumi.output(program[plain])), plain).toBe(false);
      const text = JSON.stringify(await resolved(program[plain]));
      for (const secret of SECRETS) expect(text, plain).not.toContain(secret);
    }
  });

  it("keeps every secret out of every resource input and component output in plain text", () => {
    const plain = JSON.stringify([
      ...engine.registrations.map((r) => r.redactedInputs),
      ...engine.redactedComponentOutputs(),
    ]);
    const revealed = JSON.stringify([
      ...engine.registrations.map((r) => r.inputs),
      ...engine.revealedComponentOutputs(),
    ]);
    for (const secret of SECRETS) {
      expect(revealed, `${secret} is there to leak (the check can fail)`).toContain(secret);
      expect(plain, secret).not.toContain(secret);
    }
  });
});
