# shellcheck shell=bash
# Runs the compiled review command (src/review/cli.ts) with the pinned Pulumi CLI first on PATH. Sourced by
# scripts/preview-comment and scripts/drift-report after scripts/lib/env.sh.

run_review_command() {
  use_pulumi
  require_node_modules
  local cli="$REPO_ROOT/dist/src/review/cli.js"
  if [ ! -f "$cli" ] || [ -n "$(find "$REPO_ROOT/src/review" -newer "$cli" -print -quit)" ]; then
    die_with_fix "the review command in dist/ is missing or older than src/review" "./scripts/bootstrap npm"
  fi
  exec node "$cli" "$@"
}
