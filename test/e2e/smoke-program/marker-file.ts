import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { lazyProvider } from "../../../src/dynamic/lazy-provider";

export interface MarkerFileArgs {
  /** Absolute path of the file to own. Changing it replaces the resource. */
  readonly path: pulumi.Input<string>;
  /** The file's content. Changing it rewrites the file in place. */
  readonly content: pulumi.Input<string>;
}

/** A file on the local disk, managed through the library's lazily loading provider. Used by the smoke test. */
export class MarkerFile extends pulumi.dynamic.Resource {
  declare readonly path: pulumi.Output<string>;
  declare readonly content: pulumi.Output<string>;
  declare readonly sha256: pulumi.Output<string>;

  constructor(name: string, args: MarkerFileArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      lazyProvider(join(__dirname, "marker-file-provider.js")),
      name,
      { path: args.path, content: args.content, sha256: undefined },
      opts,
      "polaris",
      "MarkerFile",
    );
  }
}
