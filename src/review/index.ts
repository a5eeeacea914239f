/**
 * Review tooling for CI: Markdown from `pulumi preview --json` for a pull request, and a drift report from
 * `pulumi refresh --preview-only`, with the GitHub side (one comment per stack, one issue per stack) done
 * through the `gh` CLI. The command is `polaris-pulumi-review` (src/review/cli.ts).
 */
export { driftFindings, driftMarkdown, driftMarker } from "./drift-markdown";
export { type EngineRun, readEngineRun } from "./engine-run";
export { type ChangeAction, type EntityChange, entityChanges } from "./entity-changes";
export { type Gh, ghCli, syncDriftIssue, upsertComment } from "./github";
export { describeGrant, grantChanges, type RoleGrantChanges } from "./grant-changes";
export { previewMarkdown, previewMarker } from "./preview-markdown";
export { type PropertyChange, propertyChanges } from "./property-changes";
