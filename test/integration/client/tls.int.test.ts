import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeHttpPools,
  PolarisClient,
  type PolarisConnection,
  PolarisTransportError,
  TokenCache,
} from "../../../src/polaris/client";
import { type FaultProxy, startFaultProxy } from "../../support/fault-proxy";
import { readEndpoints } from "../../support/sandbox";

// Polaris behind TLS with a private CA: our proxy terminates HTTPS with a throwaway self-signed certificate
// and forwards to the real Polaris.

describe("PolarisClient over HTTPS", () => {
  let folder: string;
  let certificate: string;
  let proxy: FaultProxy;
  let connection: PolarisConnection;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "polaris-client-tls-"));
    await promisify(execFile)("openssl", [
      ...[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
      ],
      ...["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
      ...["-keyout", join(folder, "key.pem"), "-out", join(folder, "cert.pem")],
    ]);
    certificate = readFileSync(join(folder, "cert.pem"), "utf8");
    const endpoints = readEndpoints();
    proxy = await startFaultProxy({
      target: endpoints.POLARIS_URI!,
      tls: { key: readFileSync(join(folder, "key.pem"), "utf8"), cert: certificate },
    });
    connection = {
      uri: proxy.uri,
      realm: endpoints.POLARIS_REALM,
      clientId: endpoints.POLARIS_CLIENT_ID!,
      clientSecret: endpoints.POLARIS_CLIENT_SECRET!,
    };
  });

  afterAll(async () => {
    await proxy?.close();
    await closeHttpPools();
    rmSync(folder, { recursive: true, force: true });
  });

  it("talks to Polaris through HTTPS when given the private CA", async () => {
    expect(proxy.uri).toMatch(/^https:/);
    const catalogs = await new PolarisClient({ ...connection, caCertificate: certificate }).listCatalogs();
    expect(Array.isArray(catalogs)).toBe(true);
    expect(proxy.count({ path: "/api/management/v1/catalogs", status: 200 })).toBe(1);
  });

  it("refuses the server without that CA, before sending anything, and does not retry", async () => {
    proxy.clear();
    // Its own token cache: the shared one already holds a token for this connection from the test above.
    const error = await new PolarisClient(connection, { tokenCache: new TokenCache() })
      .listCatalogs()
      .catch((e) => e);
    expect(error).toBeInstanceOf(PolarisTransportError);
    expect(error).toMatchObject({ reason: "tls", mayHaveReachedServer: false, attempts: 1 });
    expect(error.message).toMatch(/^request a token for client root: the TLS handshake with Polaris failed/);
    expect(proxy.count()).toBe(0);
  });
});
