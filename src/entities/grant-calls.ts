/**
 * Grant requests with the answers a resource needs: a missing object explained, "already gone" as success;
 * and one listing of a role's grants shared by the additive grants on that role that refresh reads together.
 */
import type { PolarisClient } from "../polaris/client";
import { isPolarisApiError } from "../polaris/client/errors";
import type { Grant } from "../polaris/client/types";
import { type GrantSpec, missingObjectMessage, toPolaris } from "./grant-spec";

export async function addGrant(
  polaris: PolarisClient,
  catalog: string,
  role: string,
  grant: GrantSpec,
): Promise<void> {
  forgetListing(polaris, catalog, role);
  try {
    await polaris.addGrant(catalog, role, toPolaris(grant));
  } catch (error) {
    if (isPolarisApiError(error, 404) && grant.type !== "catalog") {
      const roleMissing = /catalog ?role|CATALOG_ROLE/i.test(error.polarisMessage ?? "");
      throw new Error(
        roleMissing
          ? `cannot grant on catalog role ${role} in catalog ${catalog}: the role does not exist (${error.polarisMessage})`
          : `${missingObjectMessage(grant, catalog)} (${error.polarisMessage ?? error.message})`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    forgetListing(polaris, catalog, role);
  }
}

export async function revokeGrant(
  polaris: PolarisClient,
  catalog: string,
  role: string,
  grant: GrantSpec,
): Promise<void> {
  forgetListing(polaris, catalog, role);
  try {
    await polaris.revokeGrant(catalog, role, toPolaris(grant));
  } catch (error) {
    // Gone already: the role, the object it named, or the grant itself.
    if (isPolarisApiError(error, 404)) return;
    if (
      isPolarisApiError(error, 400) &&
      /GRANT_NOT_FOUND/.test(`${error.polarisType} ${error.polarisMessage}`)
    )
      return;
    throw error;
  } finally {
    forgetListing(polaris, catalog, role);
  }
}

/** The role's grants, or undefined when the role (or its catalog) is gone. One listing per role. */
export async function grantsOfRole(
  polaris: PolarisClient,
  catalog: string,
  role: string,
): Promise<Grant[] | undefined> {
  try {
    return await polaris.listGrants(catalog, role);
  } catch (error) {
    if (isPolarisApiError(error, 404)) return undefined;
    throw error;
  }
}

/**
 * How long a finished listing answers further reads of the same role. A refresh reads the additive grants
 * of a role one after the other (2,000 grants on 20 roles would be 2,000 listings of 100 grants); within
 * this window they share one listing, which is no older than a refresh's own reads are apart.
 */
const LISTING_REUSE_MS = 5_000;

interface Listing {
  grants: Promise<Grant[] | undefined>;
  /** When the answer arrived; undefined while the request is in flight. */
  answeredAt?: number;
}

const listings = new WeakMap<PolarisClient, Map<string, Listing>>();
const listingKey = (catalog: string, role: string) => `${catalog}\u0000${role}`;

/** Any write on the role makes its next read list the grants again. */
function forgetListing(polaris: PolarisClient, catalog: string, role: string): void {
  listings.get(polaris)?.delete(listingKey(catalog, role));
}

/**
 * grantsOfRole, shared: reads of one role that overlap, or follow within LISTING_REUSE_MS, get one listing.
 * For reads that only observe (an additive grant's refresh); a write must converge from a fresh listing.
 */
export function sharedGrantsOfRole(
  polaris: PolarisClient,
  catalog: string,
  role: string,
  now: () => number = Date.now,
): Promise<Grant[] | undefined> {
  let perClient = listings.get(polaris);
  if (!perClient) {
    perClient = new Map();
    listings.set(polaris, perClient);
  }
  const key = listingKey(catalog, role);
  const known = perClient.get(key);
  if (known && (known.answeredAt === undefined || now() - known.answeredAt < LISTING_REUSE_MS)) {
    return known.grants;
  }
  const listing: Listing = { grants: grantsOfRole(polaris, catalog, role) };
  perClient.set(key, listing);
  listing.grants.then(
    () => {
      listing.answeredAt = now();
    },
    () => {
      if (perClient.get(key) === listing) perClient.delete(key);
    },
  );
  return listing.grants;
}
