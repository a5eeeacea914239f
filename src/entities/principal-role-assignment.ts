/** A principal role granted to a principal. */
import { principalRoleAssignment } from "./assignments";

export const schemaVersion = 1;
/** Inputs whose change replaces the entity (see dispatch: diffing inputs unknown at preview). */
export const replaceOnChange = ["principal", "principalRole"];
export const deleteBeforeReplace = false;
export const { check, diff, create, read } = principalRoleAssignment;
export const remove = principalRoleAssignment.delete!;
export { remove as delete };
