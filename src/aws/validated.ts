import * as pulumi from "@pulumi/pulumi";
import { ArgumentError } from "./argument-error";

/**
 * Runs an argument check for a component and reports an `ArgumentError` as a `pulumi.ResourceError` of that
 * component: the CLI then prints the message against the resource instead of a stack trace.
 */
export function validated<T>(resource: pulumi.Resource, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ArgumentError) throw new pulumi.ResourceError(error.message, resource);
    throw error;
  }
}
