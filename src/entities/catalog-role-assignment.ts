/** A catalog role assigned to a principal role. */
import { catalogRoleAssignment } from "./assignments";

export const schemaVersion = 1;
export const { check, diff, create, read } = catalogRoleAssignment;
export const remove = catalogRoleAssignment.delete!;
export { remove as delete };
