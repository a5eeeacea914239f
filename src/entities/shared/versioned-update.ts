import { isPolarisApiError } from "../../polaris/client/errors";
import { mergedForUpdate, OWNER_KEY, type Properties, sameProperties } from "./properties";

/**
 * Applies an update that carries `currentEntityVersion`. If someone else changed the entity in between
 * (Polaris answers 409 to the stale version), reads it again and applies the update once more on the
 * fresh version, so the outside change to undeclared keys survives. `apply` returns undefined when there
 * is nothing to write.
 */
export async function retryOnVersionConflict<Entity>(
  current: Entity,
  reread: () => Promise<Entity>,
  apply: (latest: Entity) => Promise<Entity> | undefined,
): Promise<Entity> {
  try {
    return (await apply(current)) ?? current;
  } catch (error) {
    if (!isPolarisApiError(error, 409)) throw error;
    const latest = await reread();
    return (await apply(latest)) ?? latest;
  }
}

interface VersionedEntity {
  properties?: Record<string, string>;
  entityVersion?: number;
}

/**
 * Brings an entity's properties to the declared ones (keeping keys nobody declared, and the ownership
 * marker) with one versioned write, or none when they already match.
 */
export function convergeProperties<Entity extends VersionedEntity>(
  current: Entity,
  reread: () => Promise<Entity>,
  change: { previous: Properties | undefined; declared: Properties; owner: string },
  write: (version: number, properties: Properties) => Promise<Entity>,
): Promise<Entity> {
  return retryOnVersionConflict(current, reread, (latest) => {
    const properties = mergedForUpdate(latest.properties, change.previous, change.declared, {
      [OWNER_KEY]: change.owner,
    });
    if (sameProperties(properties, latest.properties)) return undefined;
    return write(latest.entityVersion!, properties);
  });
}
