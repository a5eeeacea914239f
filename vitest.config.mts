import { defineConfig } from "vitest/config";

// Four kinds of test: unit (mocks, no servers), integration (real servers on loopback), kube (a real
// Kubernetes API server on loopback) and e2e (the real pulumi CLI). Slow kinds run one file at a time on
// these 2-core machines.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.int.test.ts"],
          globalSetup: ["test/support/integration-global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // A real kube-apiserver and etcd on loopback, started per file (test/support/kube-apiserver.ts);
          // no Polaris sandbox, so none of the integration project's global setup.
          name: "kube",
          include: ["test/kube/**/*.kube.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          globalSetup: ["test/support/e2e-global-setup.ts"],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          sequence: { concurrent: false },
        },
      },
    ],
  },
});
