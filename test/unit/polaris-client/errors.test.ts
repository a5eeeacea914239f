import { describe, expect, it } from "vitest";
import { namespacePath } from "../../../src/polaris/client/client";
import {
  isPolarisApiError,
  PolarisApiError,
  PolarisTransportError,
  redact,
  subject,
} from "../../../src/polaris/client/errors";
import { classifyTransportFailure } from "../../../src/polaris/client/http";
import { collectPages } from "../../../src/polaris/client/pagination";
import { refreshMarginMs, TokenCache } from "../../../src/polaris/client/token";

describe("error messages", () => {
  it("say the operation, the entity, the status and Polaris' reason in one line", () => {
    const error = new PolarisApiError({ operation: "create catalog", entity: "catalog demo_catalog" }, 409, {
      message: "Cannot create Catalog demo_catalog. Catalog already exists or resolution failed",
      type: "AlreadyExistsException",
    });
    expect(error.message).toBe(
      "create catalog demo_catalog: 409 Conflict: Cannot create Catalog demo_catalog. Catalog already exists or resolution failed",
    );
    expect(error).toMatchObject({ status: 409, operation: "create catalog", entity: "catalog demo_catalog" });
    expect(error.polarisType).toBe("AlreadyExistsException");
  });

  it("name the kind of entity once, and count attempts when there were several", () => {
    expect(subject({ operation: "create catalog role", entity: "catalog role r in catalog c" })).toBe(
      "create catalog role r in catalog c",
    );
    expect(subject({ operation: "list grants", entity: "of catalog role r in catalog c" })).toBe(
      "list grants of catalog role r in catalog c",
    );
    expect(subject({ operation: "get catalog", entity: "catalogue x" })).toBe("get catalog catalogue x");
    expect(new PolarisApiError({ operation: "list catalogs" }, 503, {}, 4).message).toBe(
      "list catalogs: 503 Service Unavailable (after 4 attempts)",
    );
  });

  it("tell whether a request without an answer may have been applied", () => {
    const reset = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    const lost = new PolarisTransportError(
      { operation: "create principal", entity: "principal p" },
      "reset",
      true,
      reset,
    );
    expect(lost.message).toBe(
      "create principal p: the connection to Polaris was closed before its answer arrived " +
        "(UND_ERR_SOCKET: other side closed); the request may have been applied, read the entity back before retrying",
    );
    const refused = new PolarisTransportError(
      { operation: "list catalogs" },
      "connect",
      false,
      new Error("ECONNREFUSED x"),
      3,
    );
    expect(refused.message).toBe(
      "list catalogs: could not connect to Polaris (ECONNREFUSED x) (after 3 attempts). Check that " +
        "connection.uri (or polaris:uri) names a running Polaris, reachable from where pulumi runs.",
    );
  });

  it("never carry tokens or secrets", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyb290In0.c2lnbmF0dXJl";
    expect(redact(`bad token ${jwt} for secret s3cr3t-value`, ["s3cr3t-value"])).toBe(
      "bad token <token> for secret <secret>",
    );
  });
});

describe("transport failures", () => {
  const failure = (code: string, wrap = false) => {
    const error = Object.assign(new Error(code), { code });
    return classifyTransportFailure(
      wrap ? Object.assign(new Error("fetch failed"), { cause: error }) : error,
    );
  };

  it("know which failures happened before the request was sent", () => {
    expect(failure("ECONNREFUSED")).toEqual({ reason: "connect", requestSent: false, transient: true });
    expect(failure("UND_ERR_CONNECT_TIMEOUT", true)).toEqual({
      reason: "connect",
      requestSent: false,
      transient: true,
    });
    expect(failure("ENOTFOUND")).toEqual({ reason: "connect", requestSent: false, transient: false });
    expect(failure("DEPTH_ZERO_SELF_SIGNED_CERT")).toEqual({
      reason: "tls",
      requestSent: false,
      transient: false,
    });
    expect(
      classifyTransportFailure(new AggregateError([Object.assign(new Error(), { code: "ECONNREFUSED" })])),
    ).toMatchObject({
      requestSent: false,
    });
  });

  it("treat resets and timeouts as possibly received", () => {
    expect(failure("ECONNRESET")).toEqual({ reason: "reset", requestSent: true, transient: true });
    expect(failure("UND_ERR_SOCKET", true)).toEqual({ reason: "reset", requestSent: true, transient: true });
    expect(failure("UND_ERR_HEADERS_TIMEOUT")).toEqual({
      reason: "timeout",
      requestSent: true,
      transient: true,
    });
    expect(failure("SOMETHING_ELSE")).toEqual({ reason: "other", requestSent: true, transient: false });
  });
});

describe("paths", () => {
  it("join namespace levels with the unit separator and encode every segment", () => {
    expect(namespacePath("my cat", ["sales", "eu/west"], "properties")).toBe(
      "/api/catalog/v1/my%20cat/namespaces/sales%1Feu%2Fwest/properties",
    );
  });
});

describe("collectPages", () => {
  it("follows tokens until none comes back, and stops on a repeated one", async () => {
    const pages: Record<string, { items: number[]; nextPageToken: string | null }> = {
      start: { items: [1, 2], nextPageToken: "p2" },
      p2: { items: [3], nextPageToken: null },
    };
    expect(await collectPages({ operation: "list" }, async (token) => pages[token ?? "start"]!)).toEqual([
      1, 2, 3,
    ]);
    await expect(
      collectPages({ operation: "list namespaces" }, async () => ({ items: [1], nextPageToken: "same" })),
    ).rejects.toThrow(
      "list namespaces: unexpected response from Polaris: the same page token came back twice",
    );
  });
});

describe("TokenCache", () => {
  const owner = { uri: "http://polaris", clientId: "c", clientSecret: "s", scope: "PRINCIPAL_ROLE:ALL" };

  it("refreshes 10% of the lifetime before expiry, between 1 s and 60 s", () => {
    expect(refreshMarginMs(3_600_000)).toBe(60_000);
    expect(refreshMarginMs(300_000)).toBe(30_000);
    expect(refreshMarginMs(5_000)).toBe(1_000);
    expect(refreshMarginMs(1_000)).toBe(500);
  });

  it("keeps a token until its refresh time, shares one pending request, and keeps the old token if a refresh fails", async () => {
    let now = 0;
    let issued = 0;
    let failNext = false;
    const cache = new TokenCache(() => now);
    const issue = async () => {
      if (failNext) throw new Error("token endpoint down");
      return { accessToken: `t${++issued}`, lifetimeMs: 100_000 };
    };
    expect(await Promise.all([cache.get(owner, issue), cache.get(owner, issue)])).toEqual(["t1", "t1"]);
    now = 89_999;
    expect(await cache.get(owner, issue)).toBe("t1");
    now = 90_000;
    failNext = true;
    expect(await cache.get(owner, issue)).toBe("t1");
    now = 100_000;
    await expect(cache.get(owner, issue)).rejects.toThrow("token endpoint down");
    failNext = false;
    expect(await cache.get(owner, issue)).toBe("t2");
    cache.invalidate(owner, "t1");
    expect(await cache.get(owner, issue)).toBe("t2");
    cache.invalidate(owner, "t2");
    expect(await cache.get(owner, issue)).toBe("t3");
    expect(await cache.get({ ...owner, clientSecret: "other" }, issue)).toBe("t4");
  });

  it("tells a token asked for after a mark from one another caller fetched before it", async () => {
    let now = 0;
    let issued = 0;
    const cache = new TokenCache(() => now);
    const issue = async () => ({ accessToken: `t${++issued}`, lifetimeMs: 100_000 });
    expect(await cache.get(owner, issue)).toBe("t1");
    now = 10;
    const refusedAt = cache.mark();
    // t1 was asked for before the mark: a call refused at the mark must not take it for a fresh one.
    expect(cache.issuedSince(owner, "t1", refusedAt)).toBe(false);
    cache.invalidate(owner, "t1");
    expect(await cache.get(owner, issue)).toBe("t2");
    expect(cache.issuedSince(owner, "t2", refusedAt)).toBe(true);
    // Only the cached token counts: one already replaced is not vouched for.
    expect(cache.issuedSince(owner, "t1", 0)).toBe(false);
  });
});

describe("what counts as Polaris saying 'not found'", () => {
  const context = { operation: "get catalog", entity: "catalog demo" };
  it("a 404 with Polaris' own error body", () => {
    expect(
      isPolarisApiError(new PolarisApiError(context, 404, { type: "NotFoundException", message: "x" }), 404),
    ).toBe(true);
  });
  it("not a bare 404 from something in front of Polaris (an ingress, a proxy)", () => {
    expect(isPolarisApiError(new PolarisApiError(context, 404, {}), 404)).toBe(false);
    expect(isPolarisApiError(new PolarisApiError(context, 404, {}))).toBe(true);
  });
});
