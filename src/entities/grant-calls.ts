/** Grant requests with the answers a resource needs: a missing object explained, "already gone" as success. */
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
  }
}

export async function revokeGrant(
  polaris: PolarisClient,
  catalog: string,
  role: string,
  grant: GrantSpec,
): Promise<void> {
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
