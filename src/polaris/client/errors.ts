import { STATUS_CODES } from "node:http";
import { answeredByPolaris, transportRemedy } from "./remedies";

/** What an operation was about, so that every error names it the way a user would: "create catalog demo". */
export interface ErrorContext {
  operation: string;
  entity?: string;
}

/** The `{"error":{...}}` body Polaris answers failures with; fields are missing when a proxy answered. */
export interface PolarisErrorDetails {
  message?: string;
  type?: string;
  /** What the user can do about it, when something can be done; it ends the error's message. */
  remedy?: string;
}

/** Polaris (or something in front of it) answered with an HTTP error status. */
export class PolarisApiError extends Error {
  override readonly name = "PolarisApiError";
  readonly status: number;
  readonly operation: string;
  readonly entity: string | undefined;
  /** Polaris' own message, e.g. "Cannot create namespace ns1. Namespace already exists". */
  readonly polarisMessage: string | undefined;
  /** Polaris' exception type, e.g. "AlreadyExistsException", "GRANT_NOT_FOUND". */
  readonly polarisType: string | undefined;
  /** What to do about it, as the message ends with it; undefined when Polaris' message says it all. */
  readonly remedy: string | undefined;
  readonly attempts: number;

  constructor(context: ErrorContext, status: number, details: PolarisErrorDetails, attempts = 1) {
    super(withRemedy(formatApiErrorMessage(context, status, details.message, attempts), details.remedy));
    this.status = status;
    this.operation = context.operation;
    this.entity = context.entity;
    this.polarisMessage = details.message;
    this.polarisType = details.type;
    this.remedy = details.remedy;
    this.attempts = attempts;
  }
}

/**
 * No token could be had (Polaris refused one, or something in front of it failed), so the call was never
 * made. Not a PolarisApiError on purpose: its 404 (an unknown realm) or 401 must not be read as an answer
 * about the entity.
 */
export class PolarisAuthenticationError extends Error {
  override readonly name = "PolarisAuthenticationError";
  readonly operation: string;
  readonly entity: string | undefined;
  readonly status: number;

  constructor(
    context: ErrorContext,
    connection: { uri: string; realm?: string; clientId: string },
    cause: PolarisApiError,
  ) {
    const realm = connection.realm ? ` in realm ${connection.realm}` : " (no realm given)";
    const answer = `${cause.status} ${cause.polarisMessage ?? ""}`.trimEnd();
    // A gateway's error page or a server failure at the token endpoint says nothing about the credentials.
    const refused =
      cause.status < 500 && answeredByPolaris({ message: cause.polarisMessage, type: cause.polarisType });
    super(
      refused
        ? `${subject(context)}: Polaris at ${connection.uri} refused a token to client ${connection.clientId}${realm}: ` +
            `${answer}. Check the connection's realm, clientId and clientSecret (or stack config polaris:realm, ` +
            "polaris:clientId, polaris:clientSecret)."
        : withRemedy(
            `${subject(context)}: no token from Polaris at ${connection.uri} for client ${connection.clientId}${realm}: ` +
              statusLine(cause.status, cause.polarisMessage, cause.attempts),
            cause.remedy,
          ),
      { cause },
    );
    this.operation = context.operation;
    this.entity = context.entity;
    this.status = cause.status;
  }
}

export type TransportFailureReason = "connect" | "timeout" | "reset" | "tls" | "other";

/** No HTTP answer arrived: the connection failed, was reset, or timed out. */
export class PolarisTransportError extends Error {
  override readonly name = "PolarisTransportError";
  readonly operation: string;
  readonly entity: string | undefined;
  readonly reason: TransportFailureReason;
  /**
   * True when the request may have been applied although its answer was lost: the caller must read the
   * entity back before deciding whether to send the request again.
   */
  readonly mayHaveReachedServer: boolean;
  readonly attempts: number;

  constructor(
    context: ErrorContext,
    reason: TransportFailureReason,
    mayHaveReachedServer: boolean,
    cause: unknown,
    attempts = 1,
  ) {
    super(
      formatTransportErrorMessage(context, reason, mayHaveReachedServer, describeCause(cause), attempts),
      {
        cause,
      },
    );
    this.operation = context.operation;
    this.entity = context.entity;
    this.reason = reason;
    this.mayHaveReachedServer = mayHaveReachedServer;
    this.attempts = attempts;
  }
}

/** Polaris answered 2xx with a body that does not have the shape we rely on. */
export class PolarisResponseError extends Error {
  override readonly name = "PolarisResponseError";
  readonly operation: string;
  readonly entity: string | undefined;

  constructor(context: ErrorContext, problem: string, remedy?: string) {
    super(withRemedy(`${subject(context)}: unexpected response from Polaris: ${problem}`, remedy));
    this.operation = context.operation;
    this.entity = context.entity;
  }
}

export function isPolarisApiError(error: unknown, status?: number): error is PolarisApiError {
  if (!(error instanceof PolarisApiError) || (status !== undefined && error.status !== status)) return false;
  // A 404 means "no such entity" only when Polaris said so: a proxy or an ingress that answers 404 for a
  // path it does not route must never make a refresh drop entities or a delete report success.
  return status !== 404 || error.polarisType !== undefined;
}

export function formatApiErrorMessage(
  context: ErrorContext,
  status: number,
  polarisMessage: string | undefined,
  attempts = 1,
): string {
  return `${subject(context)}: ${statusLine(status, polarisMessage, attempts)}`;
}

/** "409 Conflict: Polaris' message (after 2 attempts)". */
function statusLine(status: number, polarisMessage: string | undefined, attempts: number): string {
  const statusText = STATUS_CODES[status] ?? "Unknown Status";
  const detail = polarisMessage ? `: ${truncate(polarisMessage, 500)}` : "";
  return `${status} ${statusText}${detail}${afterAttempts(attempts)}`;
}

export function formatTransportErrorMessage(
  context: ErrorContext,
  reason: TransportFailureReason,
  mayHaveReachedServer: boolean,
  cause: string,
  attempts = 1,
): string {
  const what = {
    connect: "could not connect to Polaris",
    timeout: "Polaris did not answer in time",
    reset: "the connection to Polaris was closed before its answer arrived",
    tls: "the TLS handshake with Polaris failed",
    other: "the request to Polaris failed",
  }[reason];
  const consequence = mayHaveReachedServer
    ? "; the request may have been applied, read the entity back before retrying"
    : "";
  return withRemedy(
    `${subject(context)}: ${what} (${cause})${afterAttempts(attempts)}${consequence}`,
    transportRemedy(reason),
  );
}

/** `message`, then what to do about it as a sentence of its own. */
export function withRemedy(message: string, remedy: string | undefined): string {
  if (!remedy) return message;
  return `${message}${/[.!?]$/.test(message) ? "" : "."} ${remedy}`;
}

/**
 * Removes bearer tokens and the given secrets from text that may end up in a log: Polaris or a proxy could
 * echo a request back, and undici errors can carry header values.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text.replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, "<token>");
  for (const secret of secrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join("<secret>");
  }
  return result;
}

/**
 * The operation and its entity as one phrase, saying the kind once where both name it:
 * "create catalog" + "catalog demo" reads "create catalog demo".
 */
export function subject({ operation, entity }: ErrorContext): string {
  if (!entity) return operation;
  const words = operation.split(" ");
  for (let start = 1; start < words.length; start++) {
    const kind = words.slice(start).join(" ");
    if (entity === kind || entity.startsWith(`${kind} `))
      return `${words.slice(0, start).join(" ")} ${entity}`;
  }
  return `${operation} ${entity}`;
}

function afterAttempts(attempts: number): string {
  return attempts > 1 ? ` (after ${attempts} attempts)` : "";
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  return typeof code === "string" && !cause.message.includes(code)
    ? `${code}: ${cause.message}`
    : cause.message;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
