import type { PolarisErrorDetails, TransportFailureReason } from "./errors";

/** An HTTP error answer as the client received it, for choosing what to tell the user to do. */
export interface ErrorAnswer {
  status: number;
  details: PolarisErrorDetails;
  contentType: string | undefined;
  body: string;
  /** The answer to a token request, whose refusals PolarisAuthenticationError explains. */
  tokenRequest: boolean;
}

/** Polaris answers every failure with `{"error":{...}}` (or OAuth's `{"error":"..."}` at the token endpoint). */
export function answeredByPolaris(details: PolarisErrorDetails): boolean {
  return details.type !== undefined || details.message !== undefined;
}

/**
 * What the user can do about an error answer, as a sentence to end the error's message; undefined when
 * Polaris' own message already says it, or when nothing can be done from here.
 */
export function apiErrorRemedy(answer: ErrorAnswer): string | undefined {
  const { status, details } = answer;
  // Polaris refusing a token is explained by PolarisAuthenticationError: realm, client id and secret.
  if (answer.tokenRequest && status < 500 && answeredByPolaris(details)) return undefined;
  if (!answeredByPolaris(details) && !(status === 401 && answer.body.trim() === "")) {
    const what = describeBody(answer.contentType, answer.body);
    if (status === 502 || status === 503 || status === 504) {
      return (
        `The answer (${what}) came from a gateway or proxy in front of Polaris, not from Polaris: check that ` +
        "Polaris is running and that the gateway reaches it, then run the operation again."
      );
    }
    return (
      `The answer (${what}) is not Polaris' JSON error, so something else answered: check that connection.uri ` +
      "(or polaris:uri) is Polaris' base URL, such as https://polaris.example.com without /api/..., and that " +
      "whatever is in front of Polaris passes /api/ on to it."
    );
  }
  switch (status) {
    case 400:
      return KNOWN_REFUSALS.find(
        ({ type, message }) => type === details.type && message.test(details.message ?? ""),
      )?.remedy;
    case 401:
      return (
        "Polaris refused a token it had just issued: the replicas of one Polaris must share one token-broker " +
        "key pair, and a proxy in front of it must pass the Authorization header on."
      );
    case 403:
      return (
        "The connection's principal lacks the privilege for this: assign it a principal role that holds it " +
        "(service_admin holds every management privilege), or connect as a principal that has it."
      );
    case 404:
      return (
        "Check that it exists, and the catalog, namespace or role it belongs to; `pulumi refresh` records " +
        "entities deleted outside the stack."
      );
    case 409:
      if (details.type === "AlreadyExistsException") {
        return "It exists already: choose another name, or set `adopt: true` on the resource to take it over.";
      }
      if (details.type === "CommitConflictException" || details.type === "PolicyVersionMismatchException") {
        return "Someone else changed it at the same time: run the operation again, which starts from a fresh read.";
      }
      return undefined;
    case 429:
    case 503:
      return "Polaris is overloaded or starting up: run the operation again in a moment.";
    default:
      return status >= 500
        ? "Polaris failed while handling the request; its server log holds the cause. Run the operation again, " +
            "and if it fails the same way, report it with that log."
        : undefined;
  }
}

/** Polaris 1.4.1's 400 answers whose message says what is wrong but not what to do. */
const KNOWN_REFUSALS: { type: string; message: RegExp; remedy: string }[] = [
  {
    // What Polaris answers when the body does not parse, e.g. a privilege or a type it does not know.
    type: "WebApplicationException",
    message: /^HTTP 400 Bad Request$/,
    remedy:
      "Polaris could not read the request: a value it does not know (such as a privilege or a type name) or " +
      "of the wrong kind. Check the values the inputs give.",
  },
  {
    type: "ValidationException",
    message: /overlaps with an existing catalog/,
    remedy:
      "Give the catalog locations that neither lie inside another catalog's nor contain one, or start Polaris " +
      'with polaris.features."ALLOW_OVERLAPPING_CATALOG_URLS"=true.',
  },
  {
    type: "IllegalArgumentException",
    message: /has a custom location, which is not enabled/,
    remedy: "Leave out the `location` property: Polaris places a namespace under its parent's location.",
  },
  {
    type: "GRANT_NOT_FOUND",
    message: /./,
    remedy: "There is nothing to revoke: the role does not hold it (any more).",
  },
  {
    type: "InvalidPolicyException",
    message: /./,
    remedy:
      "Check the content against the policy type's schema (`enable` is required, `version` is 2025-02-03).",
  },
  {
    type: "PolicyInUseException",
    message: /./,
    remedy: "Detach it everywhere first, or delete it with detachAll (the Policy resource does both).",
  },
];

/** What to check when no HTTP answer arrived. */
export function transportRemedy(reason: TransportFailureReason): string | undefined {
  switch (reason) {
    case "connect":
      return "Check that connection.uri (or polaris:uri) names a running Polaris, reachable from where pulumi runs.";
    case "tls":
      return (
        "Check the host name in connection.uri, and give connection.caCertificate the CA that signed Polaris' " +
        "certificate if it is not a public one."
      );
    case "timeout":
      return "Polaris may be overloaded; if it is only slow, raise connection.timeoutMs.";
    default:
      return undefined;
  }
}

/** A 2xx answer that is not JSON: what it was, and what that means. */
export function notJsonRemedy(status: number, contentType: string | undefined, body: string): string {
  return (
    `HTTP ${status} with ${describeBody(contentType, body)} instead of JSON: check that connection.uri (or ` +
    "polaris:uri) is Polaris' base URL; a login page, a gateway or another server answered."
  );
}

/** "an HTML page titled "502 Bad Gateway"", "an empty body", "a text/plain body". */
export function describeBody(contentType: string | undefined, body: string): string {
  if (body.trim() === "") return "an empty body";
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  const looksHtml = type === "text/html" || /^\s*<(!doctype html|html)/i.test(body);
  if (looksHtml) {
    const title = /<title[^>]*>([^<]{1,100})<\/title>/i.exec(body)?.[1]?.trim();
    return title ? `an HTML page titled "${title}"` : "an HTML page";
  }
  return type ? `a ${type} body` : "a body without a content type";
}
