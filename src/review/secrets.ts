/**
 * What a review must never print. Pulumi masks secret values in its JSON as the string "[secret]" (summary
 * form) or as an object carrying its secret signature (engine events); a few keys hold credentials even when
 * a program forgot to mark them secret; and a `connection` (the management credentials every resource takes)
 * is never shown, secret or not.
 */

/** The key Pulumi's serialized property values use to mark a special value (here, a secret). */
export const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
/** What the engine puts in place of a value that is known only after apply. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Keys whose whole value is left out of a review. */
const HIDDEN_KEYS = new Set(["connection", "__provider"]);
/** Keys whose value is treated as secret even when it is not marked. */
const CREDENTIAL_KEY =
  /^(credentials|clientId|clientSecret|bearerToken|password|secretAccessKey|accessKeyId|sessionToken|token|externalId|localstackAuthToken)$|secret|password/i;

export function isMarkedSecret(value: unknown): boolean {
  if (value === "[secret]") return true;
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE
  );
}

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN_VALUE;
}

export function isHiddenKey(key: string): boolean {
  return HIDDEN_KEYS.has(key);
}

export function isCredentialKey(key: string): boolean {
  return CREDENTIAL_KEY.test(key);
}
