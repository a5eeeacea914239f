import { readEndpoints } from "./sandbox";

/** The connection input of a management resource, for the shared sandbox instance (or another one). */
export function sandboxConnection(instance?: string) {
  const endpoints = instance ? readEndpoints(instance) : readEndpoints();
  return {
    uri: endpoints.POLARIS_URI!,
    realm: endpoints.POLARIS_REALM!,
    clientId: endpoints.POLARIS_CLIENT_ID!,
    clientSecret: endpoints.POLARIS_CLIENT_SECRET!,
  };
}

/** Throws with the failures when a check did not pass, so a test reads `passed(await check(...))`. */
export function passed<T>(result: { inputs?: T; failures?: { property: string; reason: string }[] }): T {
  if (result.failures?.length) {
    throw new Error(`check failed: ${result.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  }
  return result.inputs!;
}
