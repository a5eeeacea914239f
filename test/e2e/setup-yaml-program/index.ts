import * as pulumi from "@pulumi/pulumi";
import { PolarisSetup } from "../../../src/setup-yaml";

// The connection comes from stack config (polaris:uri, polaris:clientId, polaris:clientSecret, polaris:realm).
const config = new pulumi.Config();

const setup = new PolarisSetup("setup", {
  file: config.require("setupFile"),
  resetCredentialsOnAdopt: config.getBoolean("resetCredentialsOnAdopt") ?? false,
});

export const credentials = setup.credentials;
export const warnings = setup.warnings;
export const catalogs = Object.keys(setup.catalogs);
