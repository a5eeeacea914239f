import * as pulumi from "@pulumi/pulumi";
import { MarkerFile } from "./marker-file";

const config = new pulumi.Config();
if (config.getBoolean("fail")) {
  throw new Error("smoke program asked to fail");
}

const marker = new MarkerFile("marker", {
  path: config.require("markerPath"),
  content: config.require("content"),
});

export const path = marker.path;
export const sha256 = marker.sha256;
// Round-trips a config secret through the language host, which must pass on which keys are secret.
export const token = config.getSecret("token");
