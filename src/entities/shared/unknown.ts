/**
 * At preview, an input that depends on another resource's output reaches the provider as this sentinel
 * (the value @pulumi/pulumi's dynamic-provider host uses for "unknown"). Such inputs pass `check` and
 * are validated again at create, when they are known.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when the value, or any value nested in it, is not known yet. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}
