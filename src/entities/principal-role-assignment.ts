/** A principal role granted to a principal. */
import { principalRoleAssignment } from "./assignments";

export const schemaVersion = 1;
export const { check, diff, create, read } = principalRoleAssignment;
export const remove = principalRoleAssignment.delete!;
export { remove as delete };
