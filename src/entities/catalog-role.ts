/** A catalog role: the holder of grants inside one catalog, assigned to principal roles. */
import { catalogRoleKind, roleImplementation } from "./roles";

export const schemaVersion = 1;
const implementation = roleImplementation(catalogRoleKind);
export const { check, diff, create, read, update } = implementation;
export const remove = implementation.delete!;
export { remove as delete };
