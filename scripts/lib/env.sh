# shellcheck shell=bash
# The one place where the toolchain's locations and the offline Pulumi settings are decided.
# Sourced by every script under scripts/. It never downloads anything: the bootstrap does that.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export REPO_ROOT

# shellcheck source=../../toolchain/versions.env
source "$REPO_ROOT/toolchain/versions.env"

# Builds live outside the repository, in a per-user cache, one folder per pinned version.
CACHE_ROOT="${POLARIS_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/polaris-pulumi}"
NODE_DIR="$CACHE_ROOT/node-$NODE_VERSION"
# The CLI folder is keyed by the Pulumi version and by the build inputs (go.mod, go.sum, language host).
PULUMI_BUILD_KEY="$(cd "$REPO_ROOT/toolchain/pulumi-cli" && find . -type f | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-10)"
PULUMI_DIR="$CACHE_ROOT/pulumi-$PULUMI_VERSION-$PULUMI_BUILD_KEY"
# The sandbox's Polaris server is keyed by its version and by the build inputs under toolchain/polaris
# (the pom, specs, templates, sources, stub parent POM; not the notes or the linkage check).
POLARIS_BUILD_KEY="$(cd "$REPO_ROOT/toolchain/polaris" && find pom.xml spec templates src stub-repo -type f ! -name '*.md' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-10)"
POLARIS_DIR="$CACHE_ROOT/polaris-$POLARIS_SANDBOX_VERSION-$POLARIS_BUILD_KEY"
ACTIONLINT_DIR="$CACHE_ROOT/actionlint-$ACTIONLINT_VERSION"
# The test API server's binaries are keyed by both versions and by the build module (go.mod, go.sum,
# tools.go; not crds/, whose modules are only downloaded).
KUBE_BUILD_KEY="$(cd "$REPO_ROOT/toolchain/kube" && cat go.mod go.sum tools.go | sha256sum | cut -c1-10)"
KUBE_DIR="$CACHE_ROOT/kube-$KUBE_VERSION-etcd-$ETCD_VERSION-$KUBE_BUILD_KEY"
export CACHE_ROOT NODE_DIR PULUMI_DIR POLARIS_DIR ACTIONLINT_DIR KUBE_DIR

say() { printf '==> %s\n' "$*" >&2; }

# Stops with a message that names what is missing and the command that fixes it.
die_with_fix() {
  local problem="$1" fix="$2"
  printf '\nerror: %s\n  fix: %s\n\n' "$problem" "$fix" >&2
  exit 1
}

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p' | head -1 || true
}

# A JDK >= $JAVA_MIN for Polaris: $JAVA_HOME, the java on PATH, or any JDK under /usr/lib/jvm (a Temurin
# JDK often sits there beside an older default Java).
find_java_home() {
  local candidate major seen=""
  for candidate in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" ${JAVA_SEARCH_DIRS-/usr/lib/jvm/*}; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    major="$(java_major "$candidate")"
    if [ -n "$major" ] && [ "$major" -ge "$JAVA_MIN" ]; then
      echo "$candidate"
      return
    fi
    seen="$seen ${candidate} (Java ${major:-?})"
  done
  die_with_fix "no Java >= $JAVA_MIN found (the sandbox's Polaris needs it)${seen:+; found:$seen}" \
    "apt-get install temurin-21-jdk (or openjdk-21-jdk), or set JAVA_HOME to a JDK >= $JAVA_MIN"
}

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Puts Node >= 22 first on PATH: the system node when it is new enough, else the cached Node 24.
use_node() {
  if [ -x "$NODE_DIR/bin/node" ]; then
    PATH="$NODE_DIR/bin:$PATH"
  fi
  export PATH
  if ! command -v node >/dev/null 2>&1; then
    die_with_fix "no Node.js found (Node >= 22 is required by @pulumi/pulumi)" "./scripts/bootstrap node"
  fi
  local major
  major="$(node_major)"
  if [ "$major" -lt 22 ]; then
    die_with_fix "Node.js $(node --version) is too old: @pulumi/pulumi needs Node >= 22, and Node $NODE_VERSION is not in $NODE_DIR yet" \
      "./scripts/bootstrap node"
  fi
}

# Offline Pulumi: no update checks, no plugin downloads, state in a local file backend.
use_pulumi() {
  use_node
  if [ ! -x "$PULUMI_DIR/bin/pulumi" ]; then
    local other
    other="$(find "$CACHE_ROOT" -maxdepth 1 -name 'pulumi-[0-9]*' -printf '%f ' 2>/dev/null || true)"
    if [ -n "$other" ]; then
      die_with_fix "the cache holds a Pulumi CLI built for another version (${other% }), but this checkout pins $PULUMI_VERSION" \
        "./scripts/bootstrap pulumi"
    fi
    die_with_fix "the Pulumi CLI $PULUMI_VERSION has not been built in $PULUMI_DIR" "./scripts/bootstrap pulumi"
  fi
  local built
  built="$(cat "$PULUMI_DIR/.version" 2>/dev/null || true)"
  if [ "$built" != "$PULUMI_VERSION" ]; then
    die_with_fix "$PULUMI_DIR was built for Pulumi '${built:-unknown}', not $PULUMI_VERSION (an interrupted or foreign build)" \
      "rm -rf '$PULUMI_DIR' && ./scripts/bootstrap pulumi"
  fi
  PATH="$PULUMI_DIR/bin:$PATH"
  export PATH
  export PULUMI_HOME="${PULUMI_HOME:-$CACHE_ROOT/pulumi-home}"
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=false
  # The TypeScript program is type-checked by `npm run typecheck`; at run time ts-node only transpiles.
  export PULUMI_NODEJS_TRANSPILE_ONLY=true
  export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://${XDG_STATE_HOME:-$HOME/.local/state}/polaris-pulumi/backend}"
  mkdir -p "$PULUMI_HOME"
  if [[ "$PULUMI_BACKEND_URL" == file://* ]]; then
    # Private: the sandbox stack's passphrase is empty by default, so its state is protected by the folder.
    (umask 077 && mkdir -p "${PULUMI_BACKEND_URL#file://}")
  fi
}

# The repository's npm dependencies, installed from the lockfile.
require_node_modules() {
  if [ ! -f "$REPO_ROOT/node_modules/.package-lock.json" ]; then
    die_with_fix "node_modules is missing in $REPO_ROOT" "./scripts/bootstrap npm"
  fi
  if [ "$REPO_ROOT/package-lock.json" -nt "$REPO_ROOT/node_modules/.package-lock.json" ]; then
    die_with_fix "node_modules is older than package-lock.json" "./scripts/bootstrap npm"
  fi
}

# The sandbox stack encrypts its secrets (principal credentials) in the local backend with a passphrase of
# its own, POLARIS_SANDBOX_PASSPHRASE (default: empty), never the one a user's shell may export for other
# stacks: that mismatch would stop the main job with a bare "incorrect passphrase".
sandbox_stack_passphrase() {
  if [ -n "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${POLARIS_SANDBOX_PASSPHRASE+set}" ]; then
    say "note: ignoring PULUMI_CONFIG_PASSPHRASE from your shell for the sandbox stack (set POLARIS_SANDBOX_PASSPHRASE to choose its passphrase)"
  fi
  export PULUMI_CONFIG_PASSPHRASE="${POLARIS_SANDBOX_PASSPHRASE-}"
}
