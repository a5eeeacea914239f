import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { REFERENCE_PLATFORM } from "../../../src/platform/reference";
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

// The real program (stacks/index.ts) with the config of Pulumi.local.yaml, against the mocked engine.

const DYNAMIC = "pulumi-nodejs:dynamic/polaris";
const SERVER = "polaris:k8s:PolarisServer";
const EMULATOR = "polaris:k8s:LocalS3Storage";
const PLATFORM = "polaris-pulumi:platform:PolarisPlatform";
const CREDENTIALS = "polaris-pulumi:platform:PrincipalCredentials";
const ROOT_SECRET = "mock-polaris-root-client-secret-random";
const SECRETS = [ROOT_SECRET, principalSecret("engineer"), principalSecret("analyst")];

let engine: Engine;
let program: ProgramOutputs;

beforeAll(async () => {
  engine = await recordEngine("local");
  program = await runProgram(engine, stackConfig("local"));
});

const inputsOf = (type: string, name: string): Json => engine.one(type, name).inputs;

describe("local: Polaris in memory and moto on the cluster (Pulumi.local.yaml)", () => {
  it("registers 40 resources, each child under the component that made it", () => {
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
        `${SERVER} polaris <- `,
        `${EMULATOR} warehouse <- `,
        `${PLATFORM} platform <- `,
        `${CREDENTIALS} principal-credentials <- `,
        `${K8S.namespace} namespace-polaris <- `,
        `${K8S.serviceAccount} polaris-service-account <- ${SERVER}`,
        `random:index/randomPassword:RandomPassword polaris-root-client-secret <- ${SERVER}`,
        `${K8S.secret} polaris-root-credentials <- ${SERVER}`,
        `${K8S.secret} polaris-storage-credentials <- ${SERVER}`,
        `${K8S.configMap} polaris-config <- ${SERVER}`,
        `${K8S.deployment} polaris-server <- ${SERVER}`,
        `${K8S.service} polaris-server <- ${SERVER}`,
        `${K8S.networkPolicy} polaris-network-policy <- ${SERVER}`,
        `${K8S.secret} warehouse-credentials <- ${EMULATOR}`,
        `${K8S.deployment} warehouse-s3 <- ${EMULATOR}`,
        `${K8S.service} warehouse-s3 <- ${EMULATOR}`,
        `pulumi:providers:aws warehouse-aws <- ${EMULATOR}`,
        `aws:s3/bucket:Bucket warehouse-bucket <- ${EMULATOR}`,
        ...platformChildren,
        `${K8S.secret} principal-credentials-engineer <- ${CREDENTIALS}`,
        `${K8S.secret} principal-credentials-analyst <- ${CREDENTIALS}`,
      ].sort(),
    );
    expect(graph).toHaveLength(40);
  });

  it("runs one in-memory replica that supports S3 only, reading the emulator's keys from a Secret", () => {
    const deployment = inputsOf(K8S.deployment, "polaris-server");
    expect(deployment.metadata).toMatchObject({ name: "polaris", namespace: "polaris" });
    expect(deployment.spec.replicas).toBe(1);
    const properties = String(inputsOf(K8S.configMap, "polaris-config").data["application.properties"]);
    expect(properties).toContain("polaris.persistence.type=in-memory\n");
    expect(properties).toContain('polaris.features."SUPPORTED_CATALOG_STORAGE_TYPES"=["S3"]\n');
    expect(properties).not.toContain("ALLOW_INSECURE_STORAGE_TYPES");
    expect(properties).not.toContain("token-broker");

    const env = envOf(podOf(deployment).containers[0]);
    expect(env.AWS_SECRET_ACCESS_KEY.valueFrom.secretKeyRef).toEqual({
      name: "polaris-storage-credentials",
      key: "AWS_SECRET_ACCESS_KEY",
    });
    expect(env.AWS_REGION).toEqual({ name: "AWS_REGION", value: "us-east-1" });
    const keys = engine.one(K8S.secret, "polaris-storage-credentials");
    expect(keys.inputs.stringData).toEqual({ AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
    expect(keys.redactedInputs.stringData).toBe("[secret]");
    for (const absent of [K8S.job, K8S.hpa, K8S.pdb, K8S.ingress]) expect(engine.ofType(absent)).toEqual([]);
  });

  it("runs moto beside Polaris and creates the warehouse bucket inside it, not in AWS", () => {
    const emulator = inputsOf(K8S.deployment, "warehouse-s3");
    expect(emulator.metadata.namespace).toBe("polaris");
    expect(podOf(emulator).containers[0].image).toMatch(/^motoserver\/moto:/);
    const bucket = engine.one("aws:s3/bucket:Bucket", "warehouse-bucket");
    expect(bucket.inputs.bucket).toBe("warehouse");
    expect(bucket.provider).toMatch(/pulumi:providers:aws::warehouse-aws::/);
  });

  it("creates the shared namespace enforcing and warning on restricted (moto runs as a non-root user)", () => {
    expect(inputsOf(K8S.namespace, "namespace-polaris").metadata).toEqual({
      name: "polaris",
      labels: {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
      },
    });
  });

  it("gives the catalog the emulator's storage, scoped to its prefix, path-style and without STS", () => {
    const catalog = inputsOf(`${DYNAMIC}:Catalog`, "demo_catalog");
    expect(catalog.defaultBaseLocation).toBe("s3://warehouse/demo_catalog/");
    expect(catalog.storage).toEqual({
      storageType: "S3",
      region: "us-east-1",
      endpoint: "http://localhost:5000",
      endpointInternal: "http://warehouse-s3.polaris.svc.cluster.local:5000",
      pathStyleAccess: true,
      stsUnavailable: true,
      allowedLocations: ["s3://warehouse/demo_catalog/"],
    });
  });

  it("manages every entity as root through the port-forward URI, the connection kept secret, nothing protected", () => {
    const management = engine.registrations.filter((r) => r.type.startsWith(DYNAMIC));
    expect(management).toHaveLength(20);
    for (const resource of management) {
      expect(resource.inputs.connection, resource.name).toEqual({
        uri: "http://localhost:8181",
        realm: "POLARIS",
        clientId: "root",
        clientSecret: ROOT_SECRET,
        scope: "PRINCIPAL_ROLE:service_admin",
      });
      expect(resource.redactedInputs.connection, resource.name).toBe("[secret]");
      expect(resource.protect ?? false, resource.name).toBe(false);
    }
  });

  it("delivers each persona's credentials as a Secret named by its secret_ref in the Polaris namespace", () => {
    for (const persona of REFERENCE_PLATFORM.personas) {
      const secret = engine.one(K8S.secret, `principal-credentials-${persona.principal}`);
      expect(secret.inputs.metadata).toMatchObject({ name: persona.secretRef, namespace: "polaris" });
      expect(secret.inputs.type).toBe("Opaque");
      expect(secret.inputs.stringData).toEqual({
        clientId: principalClientId(persona.principal),
        clientSecret: principalSecret(persona.principal),
      });
      expect(secret.redactedInputs.stringData).toBe("[secret]");
    }
    expect(engine.one(`${DYNAMIC}:Principal`, "engineer").additionalSecretOutputs).toEqual(
      expect.arrayContaining(["clientId", "clientSecret"]),
    );
  });
});

describe("local Kubernetes objects", () => {
  const objects = () => engine.registrations.filter((r) => r.type.startsWith("kubernetes:"));

  it("validates all 13 against the upstream schemas", () => {
    expect(objects()).toHaveLength(13);
    for (const object of objects()) {
      expect(object.inputs.apiVersion, object.name).toBeTypeOf("string");
      expect(() => validateObject(object.type, object.inputs), `${object.type} ${object.name}`).not.toThrow();
    }
    const broken = structuredClone(inputsOf(K8S.deployment, "polaris-server"));
    broken.spec.replicas = "one";
    expect(() => validateObject(K8S.deployment, broken), "the check can fail").toThrow();
  });

  it("runs Polaris and the moto emulator under the restricted Pod Security Standard", () => {
    expect(restrictedViolations(podOf(inputsOf(K8S.deployment, "polaris-server")))).toEqual([]);
    expect(restrictedViolations(podOf(inputsOf(K8S.deployment, "warehouse-s3")))).toEqual([]);
  });
});

describe("local outputs", () => {
  it("exports the catalog URI through the port-forward, and credentials and engine settings only as secrets", async () => {
    expect(await resolved(program.catalogUri)).toBe("http://localhost:8181/api/catalog");
    expect(await resolved(program.warehouseName)).toBe("demo_catalog");
    expect(await resolved(program.namespaces)).toEqual([...REFERENCE_PLATFORM.namespaces]);
    expect(await pulumi.isSecret(program.credentials)).toBe(true);
    expect(await pulumi.isSecret(program.engines)).toBe(true);
    expect(await resolved(program.credentials)).toMatchObject({
      engineer: { clientSecret: principalSecret("engineer") },
    });
    for (const plain of ["catalogUri", "warehouseName", "namespaces", "floeCatalogs"] as const) {
      expect(await pulumi.isSecret(pulumi.output(program[plain])), plain).toBe(false);
      const text = JSON.stringify(await resolved(program[plain]));
      for (const secret of SECRETS) expect(text, plain).not.toContain(secret);
    }
    const floe = String(await resolved(program.floeCatalogs));
    for (const persona of REFERENCE_PLATFORM.personas)
      expect(floe).toContain(`secret_ref: ${persona.secretRef}`);
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
