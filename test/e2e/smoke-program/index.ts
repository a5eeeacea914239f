import * as pulumi from "@pulumi/pulumi";
import { MarkerFile } from "../../../src/testing/marker-file-resource";

const config = new pulumi.Config();
const marker = new MarkerFile("marker", {
  path: config.require("markerPath"),
  content: config.require("content"),
});

export const path = marker.path;
export const sha256 = marker.sha256;
