import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A real Kubernetes API server on loopback for the tests: etcd and kube-apiserver as built by
// `./scripts/bootstrap kube` into $KUBE_DIR/bin. No controller manager, scheduler or kubelet runs, so
// nothing is ever scheduled: the tests judge what the server admits, by server-side dry-run.

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

/** What the API server answered: status, JSON body, and each `Warning` header's text. */
export interface KubeResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: API bodies are navigated freely in assertions.
  body: any;
  warnings: string[];
}

export interface KubeApiServer {
  /** e.g. https://127.0.0.1:40123 */
  readonly url: string;
  /** `gitVersion` from /version. */
  readonly version: string;
  /** From starting etcd to /readyz answering 200. */
  readonly startMs: number;
  readonly client: KubeClient;
  stop(): Promise<void>;
}

/** The folder holding the built binaries, or an error that says how to build them. */
function binDir(): string {
  const kubeDir = process.env.KUBE_DIR;
  if (kubeDir === undefined || !existsSync(join(kubeDir, ".complete"))) {
    throw new Error(
      `kube-apiserver and etcd are not built (KUBE_DIR=${kubeDir ?? "unset"}). ` +
        "Run ./scripts/bootstrap kube, and run the tests through ./scripts/test (or with scripts/lib/env.sh sourced).",
    );
  }
  return join(kubeDir, "bin");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function logTail(file: string, lines = 25): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
}

interface Started {
  child: ChildProcess;
  log: string;
  exited: () => string | undefined;
}

function startProcess(binary: string, args: string[], log: string): Started {
  const fd = openSync(log, "a", 0o600);
  const child = spawn(binary, args, { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  let exit: string | undefined;
  child.once("exit", (code, signal) => {
    exit = signal ?? `exit code ${code}`;
  });
  return { child, log, exited: () => exit };
}

async function stopProcess(started: Started): Promise<void> {
  if (started.exited() !== undefined) return;
  const gone = new Promise<void>((resolve) => started.child.once("exit", () => resolve()));
  started.child.kill("SIGTERM");
  const timer = setTimeout(() => started.child.kill("SIGKILL"), 10_000);
  await gone;
  clearTimeout(timer);
}

/** Polls until `ready` resolves true; fails with the process's log tail when it exits or time runs out. */
async function waitFor(what: string, started: Started, ready: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exit = started.exited();
    if (exit !== undefined)
      throw new Error(`${what} stopped (${exit}) before it was ready:\n${logTail(started.log)}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(`${what} was not ready within ${timeoutMs / 1000} s:\n${logTail(started.log)}`);
    }
    await sleep(250);
  }
}

// Cluster-wide Pod Security defaults: "restricted" everywhere a namespace does not say otherwise, so an
// object sent to an unlabelled namespace is judged as strictly as one the components label.
const ADMISSION_CONFIG = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodSecurity
    configuration:
      apiVersion: pod-security.admission.config.k8s.io/v1
      kind: PodSecurityConfiguration
      defaults:
        enforce: restricted
        enforce-version: latest
        warn: restricted
        warn-version: latest
        audit: restricted
        audit-version: latest
      exemptions:
        namespaces: [kube-system]
`;

/**
 * Starts etcd (free port, data in a temp folder) and kube-apiserver (free port, a serving certificate it
 * generates into the temp folder, a static admin token, a fresh service-account signing key, RBAC, and the
 * PodSecurity admission plugin with "restricted" defaults). Resolves once /readyz answers 200.
 */
export async function startKubeApiServer(): Promise<KubeApiServer> {
  const bin = binDir();
  const began = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "kube-apiserver-"));
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];

  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = startProcess(
    join(bin, "etcd"),
    [
      "--name=test",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=test=${peerUrl}`,
      "--log-level=warn",
      // Throwaway data: skipping fsync keeps a busy shared disk from slowing every write.
      "--unsafe-no-fsync",
    ],
    join(dir, "etcd.log"),
  );
  const stopAll: Started[] = [etcd];
  const cleanUp = async () => {
    for (const started of stopAll.reverse()) await stopProcess(started);
    rmSync(dir, { recursive: true, force: true });
  };
  // A test runner that dies must not leave the servers behind.
  const onExit = () => {
    for (const started of stopAll) if (started.exited() === undefined) started.child.kill("SIGKILL");
  };
  process.once("exit", onExit);

  try {
    await waitFor("etcd", etcd, async () => (await fetch(`${etcdUrl}/health`)).ok, 60_000);

    const token = randomBytes(24).toString("hex");
    const tokenFile = join(dir, "tokens.csv");
    writeFileSync(tokenFile, `${token},test-admin,test-admin,"system:masters"\n`, { mode: 0o600 });
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const signingKey = join(dir, "service-account.key");
    const verifyKey = join(dir, "service-account.pub");
    writeFileSync(signingKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(verifyKey, publicKey.export({ type: "spki", format: "pem" }));
    const admissionConfig = join(dir, "admission.yaml");
    writeFileSync(admissionConfig, ADMISSION_CONFIG);
    const certDir = join(dir, "certs");

    const apiServer = startProcess(
      join(bin, "kube-apiserver"),
      [
        `--etcd-servers=${etcdUrl}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        // No --tls-cert-file: the server generates a self-signed serving certificate here.
        `--cert-dir=${certDir}`,
        `--token-auth-file=${tokenFile}`,
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${verifyKey}`,
        `--service-account-signing-key-file=${signingKey}`,
        "--service-cluster-ip-range=10.96.0.0/16",
        "--enable-admission-plugins=PodSecurity",
        `--admission-control-config-file=${admissionConfig}`,
        // No nodes: nothing reconciles the `kubernetes` Service's endpoints to a loopback address.
        "--endpoint-reconciler-type=none",
        "--profiling=false",
      ],
      join(dir, "kube-apiserver.log"),
    );
    stopAll.push(apiServer);

    const url = `https://127.0.0.1:${apiPort}`;
    const certFile = join(certDir, "apiserver.crt");
    let client: KubeClient | undefined;
    await waitFor(
      "kube-apiserver",
      apiServer,
      async () => {
        if (!existsSync(certFile)) return false;
        // Read again on each try: the first read may catch the certificate half written.
        client = new KubeClient(url, token, readFileSync(certFile));
        return (await client.request("GET", "/readyz")).status === 200;
      },
      120_000,
    );
    const ready = client!;
    const startMs = Date.now() - began;
    const version = (await ready.request("GET", "/version")).body.gitVersion as string;

    return {
      url,
      version,
      startMs,
      client: ready,
      stop: async () => {
        process.removeListener("exit", onExit);
        await cleanUp();
      },
    };
  } catch (error) {
    process.removeListener("exit", onExit);
    await cleanUp();
    throw error;
  }
}

interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

/** A small client: JSON over HTTPS with the admin token, kinds resolved to paths by API discovery. */
export class KubeClient {
  private readonly resources = new Map<string, ResourceInfo>();

  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly ca: Buffer,
  ) {}

  request(method: string, path: string, body?: unknown): Promise<KubeResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        `${this.base}${path}`,
        {
          method,
          ca: this.ca,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: "application/json",
            ...(payload === undefined
              ? {}
              : { "content-type": "application/json", "content-length": payload.length }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // /readyz and friends answer plain text.
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, warnings: warningsOf(res.rawHeaders) });
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer within 60 s`)));
      req.end(payload);
    });
  }

  /** The collection path of an object's kind: /api/v1/namespaces/NS/pods, /apis/apps/v1/deployments... */
  async collectionPath(object: KubeObject): Promise<string> {
    const info = await this.resource(object.apiVersion, object.kind);
    const prefix = object.apiVersion.includes("/")
      ? `/apis/${object.apiVersion}`
      : `/api/${object.apiVersion}`;
    if (!info.namespaced) return `${prefix}/${info.plural}`;
    const namespace = object.metadata.namespace;
    if (namespace === undefined) {
      throw new Error(`${object.kind} ${object.metadata.name ?? "(unnamed)"} has no metadata.namespace`);
    }
    return `${prefix}/namespaces/${namespace}/${info.plural}`;
  }

  /** POSTs an object; with `dryRun` the server admits or refuses it (every plugin runs) and stores nothing. */
  async create(object: KubeObject, options: { dryRun: boolean }): Promise<KubeResponse> {
    const path = await this.collectionPath(object);
    return this.request("POST", `${path}${options.dryRun ? "?dryRun=All" : ""}`, object);
  }

  /** Creates an object for real and fails loudly when the server refuses it. */
  async mustCreate(object: KubeObject): Promise<KubeResponse> {
    const response = await this.create(object, { dryRun: false });
    if (response.status !== 201) {
      throw new Error(
        `creating ${object.kind} ${object.metadata.name}: ${response.status} ${JSON.stringify(response.body)}`,
      );
    }
    return response;
  }

  private async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const key = `${apiVersion}/${kind}`;
    const known = this.resources.get(key);
    if (known !== undefined) return known;
    const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const response = await this.request("GET", path);
    if (response.status !== 200) throw new Error(`API discovery of ${apiVersion}: ${response.status}`);
    for (const resource of response.body.resources as { name: string; kind: string; namespaced: boolean }[]) {
      if (resource.name.includes("/")) continue; // subresources such as pods/status
      this.resources.set(`${apiVersion}/${resource.kind}`, {
        plural: resource.name,
        namespaced: resource.namespaced,
      });
    }
    const found = this.resources.get(key);
    if (found === undefined) throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
    return found;
  }
}

/** The text of each `Warning: 299 - "text"` header, one per header line. */
function warningsOf(rawHeaders: string[]): string[] {
  const warnings: string[] = [];
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index]!.toLowerCase() !== "warning") continue;
    const value = rawHeaders[index + 1]!;
    const quoted = /^\d{3} \S+ "(.*)"$/.exec(value);
    warnings.push(quoted ? quoted[1]!.replace(/\\"/g, '"') : value);
  }
  return warnings;
}
