/** A catalog role: the holder of grants inside one catalog, assigned to principal roles. */
import { catalogRoleKind, roleImplementation } from "./roles";

export const schemaVersion = 1;
/** Inputs whose change replaces the entity (see dispatch: diffing inputs unknown at preview). */
export const replaceOnChange = ["catalog", "name"];
export const deleteBeforeReplace = true;
const implementation = roleImplementation(catalogRoleKind);
export const { check, diff, create, read, update } = implementation;
export const remove = implementation.delete!;
export { remove as delete };
