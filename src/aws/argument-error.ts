/**
 * A mistake in a component argument, found by a check that has no Pulumi import. The component that ran the
 * check turns it into a `pulumi.ResourceError` (see `validated.ts`), so the user sees which resource and
 * which argument to fix.
 */
export class ArgumentError extends Error {
  constructor(
    /** The argument to fix, as the user wrote it in the component's args (e.g. "allowedLocations"). */
    readonly argument: string,
    message: string,
  ) {
    super(message);
    this.name = "ArgumentError";
  }
}
