// The policy simulator is AGPL-licensed: it is a dev dependency for tests and must never be imported from src/.
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../../../src/aws/policies";

export const ACCOUNT = "123456789012";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface Policies {
  /** Policies attached to the calling identity. */
  identity?: PolicyDocument[];
  /** The session policy passed to sts:AssumeRole, as Polaris does for every vended credential. */
  session?: PolicyDocument;
  /** The policy on the resource: a bucket policy, or a role's trust policy for sts:AssumeRole. */
  resource?: PolicyDocument;
}

export interface Request {
  principal: string;
  action: string;
  resource: string;
  /** Account that owns the resource. @default ACCOUNT */
  resourceAccount?: string;
  context?: Record<string, string | string[]>;
}

/**
 * What AWS would decide for `request` under `policies`, as computed by iam-simulate.
 *
 * It throws instead of answering when the simulator refuses the input (a malformed policy, an unknown
 * action) or ignores a context key of the request: a condition evaluated without its key would make a
 * "denied" assertion pass for the wrong reason.
 */
export async function decide(policies: Policies, request: Request): Promise<Decision> {
  const response = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount ?? ACCOUNT },
        contextVariables: request.context ?? {},
      },
      identityPolicies: (policies.identity ?? []).map((policy, index) => ({
        name: `identity-${index}`,
        policy,
      })),
      sessionPolicy: policies.session,
      resourcePolicy: policies.resource,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === "error") {
    throw new Error(`the simulator refused the request: ${JSON.stringify(response.errors)}`);
  }
  if (response.resultType !== "single") {
    throw new Error(`expected one simulated resource for ${request.resource}, got ${response.resultType}`);
  }
  const ignored = response.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) {
    throw new Error(`the simulator ignored context keys ${ignored.join(", ")} for ${request.action}`);
  }
  return response.overallResult as Decision;
}

/** A policy document from a registered resource input (IAM policies are passed as JSON strings). */
export function parsePolicy(input: unknown): PolicyDocument {
  if (typeof input !== "string") throw new Error(`expected a JSON policy string, got ${typeof input}`);
  return JSON.parse(input) as PolicyDocument;
}
