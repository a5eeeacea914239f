/** A principal role: what principals are granted, and what catalog roles are assigned to. */
import { principalRoleKind, roleImplementation } from "./roles";

export const schemaVersion = 1;
/** Inputs whose change replaces the entity (see dispatch: diffing inputs unknown at preview). */
export const replaceOnChange = ["name"];
export const deleteBeforeReplace = true;
const implementation = roleImplementation(principalRoleKind);
export const { check, diff, create, read, update } = implementation;
export const remove = implementation.delete!;
export { remove as delete };
