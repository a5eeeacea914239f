/** A catalog role assigned to a principal role. */
import { catalogRoleAssignment } from "./assignments";

export const schemaVersion = 1;
/** Inputs whose change replaces the entity (see dispatch: diffing inputs unknown at preview). */
export const replaceOnChange = ["catalog", "catalogRole", "principalRole"];
export const deleteBeforeReplace = false;
export const { check, diff, create, read } = catalogRoleAssignment;
export const remove = catalogRoleAssignment.delete!;
export { remove as delete };
