import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import type { KubeClient, KubeObject } from "../../support/kube-apiserver";

// The CRDs of PolarisServer's optional objects, read from the Go module cache: toolchain/kube/crds requires
// the modules that publish them, and `go mod download` checks each against that module's go.sum. Nothing
// is copied into the repository.

const repoRoot = join(__dirname, "..", "..", "..");
const CRD_MODULE = join(repoRoot, "toolchain", "kube", "crds");

/** The files inside each module, by the module path that go.mod requires. */
const CRD_FILES = {
  httpRoute: ["sigs.k8s.io/gateway-api", "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml"],
  serviceMonitor: [
    "github.com/prometheus-operator/prometheus-operator",
    "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
  ],
} as const;

/** Go on PATH, or where Go installs usually go (as scripts/bootstrap looks for it). */
function goBinary(): string {
  const candidates = [
    ...(process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "go")),
    "/usr/local/go/bin/go",
    "/usr/lib/go/bin/go",
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined)
    throw new Error("Go is not installed; it reads the CRD modules (apt-get install golang-go)");
  return found;
}

/** Each module's folder in the module cache, downloaded if needed and checked against go.sum. */
function moduleDirs(): Map<string, string> {
  const output = execFileSync(goBinary(), ["mod", "download", "-json"], {
    cwd: CRD_MODULE,
    env: { ...process.env, GOFLAGS: "-mod=readonly", GOSUMDB: "off" },
    encoding: "utf8",
    timeout: 300_000,
  });
  // One JSON object per module, one after the other.
  const modules = JSON.parse(`[${output.replace(/}\s*{/g, "},{")}]`) as {
    Path: string;
    Dir?: string;
    Error?: string;
  }[];
  const dirs = new Map<string, string>();
  for (const module of modules) {
    if (module.Error !== undefined || module.Dir === undefined) {
      throw new Error(
        `go mod download ${module.Path} in toolchain/kube/crds: ${module.Error ?? "no folder"}`,
      );
    }
    dirs.set(module.Path, module.Dir);
  }
  return dirs;
}

/** The CustomResourceDefinitions for HTTPRoute and ServiceMonitor, as their projects publish them. */
export function polarisServerCrds(): Record<keyof typeof CRD_FILES, KubeObject> {
  const { loadAll } = createRequire(__filename)("js-yaml") as { loadAll(text: string): unknown[] };
  const dirs = moduleDirs();
  const crd = ([module, file]: readonly [string, string]) => {
    const dir = dirs.get(module);
    if (dir === undefined) throw new Error(`toolchain/kube/crds/go.mod does not require ${module}`);
    const documents = loadAll(readFileSync(join(dir, file), "utf8")).filter(
      (doc) => doc !== null,
    ) as KubeObject[];
    if (documents.length !== 1 || documents[0]!.kind !== "CustomResourceDefinition") {
      throw new Error(`${module}/${file} is not one CustomResourceDefinition`);
    }
    return documents[0]!;
  };
  return { httpRoute: crd(CRD_FILES.httpRoute), serviceMonitor: crd(CRD_FILES.serviceMonitor) };
}

/** Creates a CRD for real and waits until the server serves its kind. */
export async function installCrd(client: KubeClient, crd: KubeObject): Promise<void> {
  await client.mustCreate(crd);
  const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { body } = await client.request("GET", path);
    const conditions = (body?.status?.conditions ?? []) as { type: string; status: string }[];
    if (conditions.some((condition) => condition.type === "Established" && condition.status === "True"))
      return;
    if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} was not established within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
