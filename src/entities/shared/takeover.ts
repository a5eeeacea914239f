import { isPolarisApiError, PolarisTransportError } from "../../polaris/client/errors";
import { declaredView, OWNER_KEY, type Properties } from "./properties";

export interface TakeoverPlan<Entity> {
  kind: string;
  name: string;
  owner: string;
  adopt: boolean;
  create(): Promise<Entity>;
  /** Reads the entity; undefined when it does not exist. */
  get(): Promise<Entity | undefined>;
  properties(entity: Entity): Properties | undefined;
  /**
   * For entities without properties, hence without a marker: whether an existing entity is what this
   * resource's own create left behind. When given, it decides instead of the marker.
   */
  isOwn?(entity: Entity): boolean;
  /** What differs between the existing entity and the declaration, one line per field; empty on a match. */
  differences(entity: Entity): string[];
}

export interface TakeoverResult<Entity> {
  entity: Entity;
  /** "created", or how an existing entity came under management. */
  how: "created" | "taken back" | "adopted";
}

/**
 * Creates an entity, or takes over one that already exists:
 * - one whose ownership marker names this resource, or that `isOwn` recognizes (left by a run that crashed
 *   after Polaris applied the create, or whose answer was lost), is taken back without asking;
 * - another one is adopted only with `adopt: true` and only when it matches the declaration; otherwise the
 *   error says what differs or how to adopt it.
 */
export async function createOrTakeOver<Entity>(plan: TakeoverPlan<Entity>): Promise<TakeoverResult<Entity>> {
  // A create whose answer was lost may or may not have been applied: read back, and send it again only
  // when the entity is not there. A few rounds, since the repeat can lose its answer too.
  for (let round = 1; ; round++) {
    try {
      return { entity: await plan.create(), how: "created" };
    } catch (error) {
      const lostAnswer = error instanceof PolarisTransportError && error.mayHaveReachedServer;
      if (!isPolarisApiError(error, 409) && !lostAnswer) throw error;
      const existing = await plan.get();
      if (existing === undefined) {
        if (lostAnswer && round < MAX_ROUNDS) continue;
        throw error;
      }
      return takeOver(plan, existing);
    }
  }
}

const MAX_ROUNDS = 4;

function takeOver<Entity>(plan: TakeoverPlan<Entity>, existing: Entity): TakeoverResult<Entity> {
  const own = plan.isOwn ? plan.isOwn(existing) : plan.properties(existing)?.[OWNER_KEY] === plan.owner;
  if (own) return { entity: existing, how: "taken back" };
  if (!plan.adopt) {
    throw new Error(
      `${plan.kind} "${plan.name}" already exists in Polaris and is not managed by this resource. ` +
        "To bring it under management, set `adopt: true` on the resource (it must match what you declare); " +
        "or choose another name.",
    );
  }
  const differences = plan.differences(existing);
  if (differences.length > 0) {
    throw new Error(
      `cannot adopt ${plan.kind} "${plan.name}": the existing entity differs from the declaration:\n  ` +
        `${differences.join("\n  ")}\n` +
        "Declare what exists (then change it in a later update), or remove `adopt` and choose another name.",
    );
  }
  return { entity: existing, how: "adopted" };
}

/** "field: server has X, declared Y" lines for the declared fields that differ. */
export function describeDifferences(
  pairs: ReadonlyArray<readonly [field: string, existing: unknown, declared: unknown]>,
): string[] {
  return pairs
    .filter(([, existing, declared]) => JSON.stringify(existing) !== JSON.stringify(declared))
    .map(
      ([field, existing, declared]) =>
        `${field}: Polaris has ${JSON.stringify(existing)}, declared ${JSON.stringify(declared)}`,
    );
}

/** The differences of an entity whose only declared state is its properties. */
export function propertyDifferences(existing: Properties | undefined, declared: Properties): string[] {
  return describeDifferences([["properties", declaredView(existing, declared), declared]]);
}
