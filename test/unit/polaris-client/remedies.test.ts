import { describe, expect, it } from "vitest";
import {
  PolarisApiError,
  PolarisAuthenticationError,
  PolarisResponseError,
  PolarisTransportError,
  withRemedy,
} from "../../../src/polaris/client/errors";
import { apiErrorRemedy, describeBody, type ErrorAnswer } from "../../../src/polaris/client/remedies";

// What an error tells the user to do, chosen from the answer: Polaris' own JSON error or something else's
// page, its status and its type. The integration test (test/integration/entities/api-errors.int.test.ts)
// provokes each of these against the real Polaris; here every branch is pinned down on its own.

const polaris = (status: number, type: string, message: string): ErrorAnswer => ({
  status,
  details: { type, message },
  contentType: "application/json",
  body: JSON.stringify({ error: { message, type, code: status } }),
  tokenRequest: false,
});
const foreign = (status: number, body: string, contentType?: string): ErrorAnswer => ({
  status,
  details: {},
  contentType,
  body,
  tokenRequest: false,
});

describe("the remedy for an error answer", () => {
  it.each([
    [polaris(400, "WebApplicationException", "HTTP 400 Bad Request"), /could not read the request/],
    [
      polaris(400, "ValidationException", "x overlaps with an existing catalog"),
      /ALLOW_OVERLAPPING_CATALOG_URLS/,
    ],
    [
      polaris(400, "IllegalArgumentException", "Namespace a has a custom location, which is not enabled."),
      /Leave out the `location` property/,
    ],
    [polaris(400, "GRANT_NOT_FOUND", "Operation failed: GRANT_NOT_FOUND"), /nothing to revoke/],
    [polaris(400, "InvalidPolicyException", "Invalid policy"), /policy type's schema/],
    [polaris(400, "PolicyInUseException", "still attached"), /Detach it everywhere first/],
    [foreign(401, ""), /replicas of one Polaris must share one token-broker key pair/],
    [polaris(403, "ForbiddenException", "not authorized"), /lacks the privilege/],
    [polaris(404, "NotFoundException", "x"), /`pulumi refresh` records entities deleted outside the stack/],
    [polaris(409, "AlreadyExistsException", "x"), /`adopt: true`/],
    [polaris(409, "CommitConflictException", "x"), /Someone else changed it at the same time/],
    [polaris(409, "PolicyVersionMismatchException", "x"), /Someone else changed it at the same time/],
    [polaris(429, "TooManyRequests", "x"), /run the operation again in a moment/],
    [polaris(500, "RuntimeException", "x"), /its server log holds the cause/],
    [
      foreign(502, "<html><title>502 Bad Gateway</title></html>", "text/html"),
      /came from a gateway or proxy/,
    ],
    [foreign(504, "upstream timed out", "text/plain"), /came from a gateway or proxy/],
    [foreign(404, "<html></html>", "text/html"), /not Polaris' JSON error.*base URL/],
    [foreign(401, "<html>Sign in</html>", "text/html"), /not Polaris' JSON error/],
  ])("%#: %j", (answer, remedy) => {
    expect(apiErrorRemedy(answer)).toMatch(remedy);
  });

  it("is left out where Polaris' own message says it all", () => {
    expect(
      apiErrorRemedy(polaris(400, "BadRequestException", "Catalog 'c' cannot be dropped")),
    ).toBeUndefined();
    expect(
      apiErrorRemedy(polaris(409, "NamespaceNotEmptyException", "Namespace a is not empty")),
    ).toBeUndefined();
  });

  it("is left to PolarisAuthenticationError for Polaris refusing a token", () => {
    const refusal = { ...polaris(401, "unauthorized_client", "unauthorized_client"), tokenRequest: true };
    expect(apiErrorRemedy(refusal)).toBeUndefined();
    expect(apiErrorRemedy({ ...foreign(502, "bad gateway"), tokenRequest: true })).toMatch(/gateway/);
  });
});

describe("what an answer that is not Polaris' was", () => {
  it("names an HTML page by its title, and other bodies by their type", () => {
    expect(describeBody("text/html; charset=utf-8", "<html><title> Sign in </title></html>")).toBe(
      'an HTML page titled "Sign in"',
    );
    expect(describeBody(undefined, "<!DOCTYPE html><html></html>")).toBe("an HTML page");
    expect(describeBody("text/plain", "blocked")).toBe("a text/plain body");
    expect(describeBody(undefined, "blocked")).toBe("a body without a content type");
    expect(describeBody("text/html", "  ")).toBe("an empty body");
  });
});

describe("messages with a remedy", () => {
  const context = { operation: "create catalog", entity: "catalog demo" };

  it("end with it as a sentence of its own", () => {
    expect(withRemedy("a: 404 Not Found", "Do this.")).toBe("a: 404 Not Found. Do this.");
    expect(withRemedy("a: failed.", "Do this.")).toBe("a: failed. Do this.");
    expect(withRemedy("a: failed", undefined)).toBe("a: failed");
    const error = new PolarisApiError(context, 403, {
      message: "no",
      type: "ForbiddenException",
      remedy: "Fix.",
    });
    expect(error.message).toBe("create catalog demo: 403 Forbidden: no. Fix.");
    expect(error.remedy).toBe("Fix.");
    expect(new PolarisResponseError(context, "HTTP 200 with an HTML page", "Check.").message).toBe(
      "create catalog demo: unexpected response from Polaris: HTTP 200 with an HTML page. Check.",
    );
  });

  it("say for a missing token whether Polaris refused it or something else failed", () => {
    const connection = { uri: "https://polaris", realm: "POLARIS", clientId: "ci" };
    const token = { operation: "request a token", entity: "for client ci" };
    const refused = new PolarisAuthenticationError(
      context,
      connection,
      new PolarisApiError(token, 401, { type: "unauthorized_client", message: "unauthorized_client" }),
    );
    expect(refused.message).toMatch(
      /^create catalog demo: Polaris at https:\/\/polaris refused a token to client ci in realm POLARIS: 401 unauthorized_client\. Check the connection's realm, clientId and clientSecret/,
    );
    const gateway = new PolarisAuthenticationError(
      context,
      connection,
      new PolarisApiError(token, 503, { remedy: "The answer came from a gateway." }, 3),
    );
    expect(gateway.message).toBe(
      "create catalog demo: no token from Polaris at https://polaris for client ci in realm POLARIS: " +
        "503 Service Unavailable (after 3 attempts). The answer came from a gateway.",
    );
  });

  it("tell what to check when no answer came", () => {
    const failure = (reason: "connect" | "tls" | "timeout" | "reset") =>
      new PolarisTransportError(context, reason, false, new Error("x")).message;
    expect(failure("tls")).toMatch(/give connection\.caCertificate the CA that signed Polaris' certificate/);
    expect(failure("timeout")).toMatch(/raise connection\.timeoutMs/);
    expect(failure("reset")).toBe(
      "create catalog demo: the connection to Polaris was closed before its answer arrived (x)",
    );
  });
});
