import { z } from "zod";
import { connectionSchema } from "./connection";

/** Inputs every management resource has besides its own. */
export const commonInputs = {
  /** How to reach Polaris; may be left out when stack config sets polaris:uri and credentials. */
  connection: connectionSchema.optional(),
  /** Take over an existing entity that matches the declaration instead of failing on 409. */
  adopt: z.boolean().default(false),
  /** Identifies the declaring resource (project/stack/name); set by the resource class, not by users. */
  owner: z.string().min(1),
};

export const propertiesSchema = z
  .record(z.string(), z.string({ error: "property values must be strings" }))
  .default({})
  .refine((properties) => !Object.keys(properties).some((key) => key.startsWith("polaris-pulumi.")), {
    message: 'property keys starting with "polaris-pulumi." are reserved for this library',
  });
