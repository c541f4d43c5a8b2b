#!/usr/bin/env bash
# Builds the Pulumi engine pieces this TypeScript project needs from Go modules
# (Go module proxy only), into a cache directory outside the repo, and prints
# that bin directory as the LAST line of stdout:
#
#   BIN=$(scripts/build-engine.sh | tail -1); export PATH="$BIN:$PATH"
#
# Binaries already in the cache with a matching stamp are reused. All progress
# goes to stderr. See scripts/ENGINE.md for versions, timings and gotchas.
#
# Env:
#   K3S_HARDENING_CACHE   cache root (default $HOME/.cache/k3s-hardening)
#   ENGINE_STRICT=1       fail (exit 1) if a piece cannot be built, instead of
#                         warning and leaving it out. The official
#                         pulumi-resource-command cannot be had from the proxy
#                         today; the project's compatible provider
#                         (tools/command-provider) is built in its place.
#   ENGINE_PULUMI_VERSION / ENGINE_K8S_VERSION / ENGINE_COMMAND_VERSION
#                         override the versions read from package.json
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { echo "[build-engine] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null || { [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"; }
command -v go >/dev/null || die "go not found"
command -v node >/dev/null || die "node not found (needed to read package.json)"

# Exact pin of a dependency in package.json (leading ^ ~ = v stripped).
pin() {
  node -e '
    const p = require(process.argv[1]); const n = process.argv[2];
    const v = (p.dependencies || {})[n] || (p.devDependencies || {})[n] || "";
    process.stdout.write(v.replace(/^[\^~=v]+/, ""));' "$ROOT/package.json" "$1"
}

PULUMI_VERSION=${ENGINE_PULUMI_VERSION:-$(pin @pulumi/pulumi)}
K8S_VERSION=${ENGINE_K8S_VERSION:-$(pin @pulumi/kubernetes)}
CMD_VERSION=${ENGINE_COMMAND_VERSION:-$(pin @pulumi/command)}
[ -n "$PULUMI_VERSION" ] || die "@pulumi/pulumi not pinned in package.json"

# ---- module versions ------------------------------------------------------
# pulumi-language-nodejs/v3 has no tags; these are the pseudo-versions of the
# pkg/v3.X commits (v3.0.0-<UTC commit time>-<12 hex>). The proxy refuses the
# whole module today (403, even @v/list), so the fallback below is used.
langhost_pseudo() {
  case "$1" in
    3.248.0) echo v3.0.0-20260624180030-dc7edd58bc13 ;;
    3.252.0) echo v3.0.0-20260713131259-e6a4ba65c60f ;;
    3.259.0) echo v3.0.0-20260820084410-a05d88f24d05 ;;
    *) echo "" ;;
  esac
}
# Last sdk/v3 release that still contained the Node.js language host as a
# package (it became its own module in v3.69.0). Served by the proxy.
LEGACY_LH_SDK=v3.68.0

# pulumi-command: tag v1.2.1 is on the repo root, but at v1.2.1 go.mod lives in
# provider/ (module github.com/pulumi/pulumi-command/provider, no tags of its
# own -> pseudo-version). The proxy refuses that module entirely today (403).
command_modver() {
  case "$1" in
    1.2.1) echo "github.com/pulumi/pulumi-command/provider@v0.0.0-20260303235922-7f3eb6f3b77c" ;;
    *) echo "" ;;
  esac
}

# pulumi-kubernetes provider/v4 has no provider/ tags either; pseudo-version of
# the commit of tag vX (the only one the proxy serves is v4.25.0's).
k8s_pseudo() {
  case "$1" in
    4.25.0) echo v4.0.0-20260115033456-f47bc2d6f199 ;;
    *) echo "" ;;
  esac
}

RECIPE=1   # bump when the build recipe changes, to get a fresh cache dir
KEY="pulumi${PULUMI_VERSION}-k8s${K8S_VERSION:-none}-cmd${CMD_VERSION:-none}-r${RECIPE}"
CACHE=${K3S_HARDENING_CACHE:-$HOME/.cache/k3s-hardening}
OUT=$CACHE/engine-$KEY
BIN=$OUT/bin
SRC=$OUT/src
mkdir -p "$BIN" "$SRC"

# Serialize concurrent runs on the same cache dir.
if command -v flock >/dev/null; then
  exec 9>"$OUT/.lock"
  flock 9
fi

export CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
PULUMI_LD="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
TIMES=$OUT/build-times.txt
MISSING=()

stamp_ok() {  # name expected-stamp
  [ -x "$BIN/$1" ] && [ -f "$BIN/.$1.stamp" ] && [ "$(cat "$BIN/.$1.stamp")" = "$2" ]
}
stamp_set() { printf '%s' "$2" >"$BIN/.$1.stamp"; }
timed() {  # name cmd... ; runs cmd, records wall time
  local name=$1 t0 t1; shift
  t0=$(date +%s)
  "$@"
  t1=$(date +%s)
  log "$name built in $((t1 - t0))s"
  echo "$(date -u +%FT%TZ) $name $((t1 - t0))s" >>"$TIMES"
}
missing() {
  MISSING+=("$1")
  if [ "${ENGINE_STRICT:-0}" = 1 ]; then die "$1: $2"; fi
  log "WARNING: $1 not built: $2"
}
# go mod download -json prints an "Error" field (exit !=0) for refused versions.
mod_available() { go mod download -json "$1" >/dev/null 2>&1; }

new_wrapper() {  # dir
  rm -rf "$1"; mkdir -p "$1"
  (cd "$1" && go mod init local.invalid/engine-build >/dev/null 2>&1)
}

# The wrapper module's only source: a blank import of the package to build, so `go mod tidy` keeps it.
tools_import() {  # package
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$1" >tools.go
}

# pkg/go.mod and sdk/go.mod both carry this replace; a wrapper module must restate it.
CLIPBOARD_REPLACE="github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"

# ---- 1. pulumi CLI ------------------------------------------------------------
build_pulumi() {
  local W=$SRC/pulumi
  new_wrapper "$W"
  cd "$W"
  go mod edit \
    -require="github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" \
    -require="github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" \
    -replace="$CLIPBOARD_REPLACE"
  tools_import github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  go mod tidy >&2
  local got
  got=$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/sdk/v3 | sort -u)
  [ "$got" = "v$PULUMI_VERSION" ] || die "pulumi pkg/sdk resolved to '$got', want v$PULUMI_VERSION"
  go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w $PULUMI_LD=v$PULUMI_VERSION" \
    -o "$BIN/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
  mv "$BIN/pulumi.tmp" "$BIN/pulumi"
}
S="pulumi v$PULUMI_VERSION"
if stamp_ok pulumi "$S" && [ "$("$BIN/pulumi" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; then
  log "pulumi v$PULUMI_VERSION: cached"
else
  log "building pulumi v$PULUMI_VERSION"
  timed pulumi build_pulumi
  [ "$("$BIN/pulumi" version)" = "v$PULUMI_VERSION" ] || die "built pulumi reports $("$BIN/pulumi" version)"
  stamp_set pulumi "$S"
fi

# ---- 2. pulumi-language-nodejs ------------------------------------------------
LH_MOD=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
LH_PSEUDO=$(langhost_pseudo "$PULUMI_VERSION")
build_langhost_matching() {
  local W=$SRC/langhost
  new_wrapper "$W"
  cd "$W"
  go mod edit \
    -require="$LH_MOD@$LH_PSEUDO" \
    -require="github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" \
    -require="github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" \
    -replace="$CLIPBOARD_REPLACE"
  tools_import "$LH_MOD"
  go mod tidy >&2
  go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w $PULUMI_LD=v$PULUMI_VERSION" \
    -o "$BIN/pulumi-language-nodejs.tmp" "$LH_MOD" >&2
  mv "$BIN/pulumi-language-nodejs.tmp" "$BIN/pulumi-language-nodejs"
}
build_langhost_legacy() {
  local W=$SRC/langhost-legacy P=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
  new_wrapper "$W"
  cd "$W"
  # sdk/go.mod at v3.68.0 only replaces golang.org/x/text => v0.3.6; MVS picks a
  # newer x/text anyway (as upstream's own pkg build did), so it is not restated.
  go mod edit -require="github.com/pulumi/pulumi/sdk/v3@$LEGACY_LH_SDK"
  tools_import "$P"
  go mod tidy >&2
  go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w $PULUMI_LD=$LEGACY_LH_SDK" \
    -o "$BIN/pulumi-language-nodejs.tmp" "$P" >&2
  mv "$BIN/pulumi-language-nodejs.tmp" "$BIN/pulumi-language-nodejs"
}
if [ -n "$LH_PSEUDO" ] && stamp_ok pulumi-language-nodejs "$LH_MOD@$LH_PSEUDO"; then
  log "pulumi-language-nodejs $LH_PSEUDO: cached"
elif [ -n "$LH_PSEUDO" ] && mod_available "$LH_MOD@$LH_PSEUDO"; then
  log "building pulumi-language-nodejs $LH_PSEUDO (matches CLI v$PULUMI_VERSION)"
  timed pulumi-language-nodejs build_langhost_matching
  stamp_set pulumi-language-nodejs "$LH_MOD@$LH_PSEUDO"
elif stamp_ok pulumi-language-nodejs "legacy sdk/v3@$LEGACY_LH_SDK"; then
  log "pulumi-language-nodejs (legacy, sdk/v3@$LEGACY_LH_SDK): cached"
else
  log "pulumi-language-nodejs ${LH_PSEUDO:-<no pseudo-version known>} not served by the proxy;"
  log "  falling back to the language host inside github.com/pulumi/pulumi/sdk/v3@$LEGACY_LH_SDK"
  log "  (runs programs fine; has no RunPlugin, so policy packs need runtime: nodepolicy, see ENGINE.md)"
  timed pulumi-language-nodejs build_langhost_legacy
  stamp_set pulumi-language-nodejs "legacy sdk/v3@$LEGACY_LH_SDK"
fi

# Policy packs without the language host's RunPlugin: the CLI's fallback runs
# `pulumi-analyzer-policy-<runtime>` (cwd = pack dir, args = engine address, ".")
# when no language plugin named <runtime> exists. A pack declaring
# `runtime: nodepolicy` in PulumiPolicy.yaml is thus run by this shim.
cat >"$BIN/pulumi-analyzer-policy-nodepolicy" <<'EOF'
#!/bin/sh
# Runs the Node.js policy pack in the current directory (its node_modules).
exec node "$(node -p 'require.resolve("@pulumi/pulumi/cmd/run-policy-pack")')" "$@"
EOF
chmod +x "$BIN/pulumi-analyzer-policy-nodepolicy"

# Provider for pulumi.dynamic.Resource (the release tarball ships an equivalent
# script): resolves @pulumi/pulumi's dynamic-provider from the program's
# node_modules (cwd = program dir) and runs it with node.
cat >"$BIN/pulumi-resource-pulumi-nodejs" <<'EOF'
#!/bin/sh
exec node "$(node -p 'require.resolve("@pulumi/pulumi/cmd/dynamic-provider")')" "$@"
EOF
chmod +x "$BIN/pulumi-resource-pulumi-nodejs"

# ---- 3. pulumi-resource-command -------------------------------------------------
if [ -n "$CMD_VERSION" ]; then
  CMD_MV=$(command_modver "$CMD_VERSION")
  build_command() {
    local W=$SRC/command
    new_wrapper "$W"
    cd "$W"
    go mod edit -require="$CMD_MV"
    tools_import github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command
    go mod tidy >&2
    go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi-command/provider/pkg/version.Version=v$CMD_VERSION" \
      -o "$BIN/pulumi-resource-command.tmp" github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command >&2
    mv "$BIN/pulumi-resource-command.tmp" "$BIN/pulumi-resource-command"
  }
  # ---- 3b. fallback: the project's compatible provider (tools/command-provider) --
  # When the official provider cannot be built, build our own wire-compatible
  # implementation of command:remote:Command (see tools/command-provider/README.md)
  # as $BIN/pulumi-resource-command. Stamp = hash of its sources + version.
  COMPAT_DIR=$ROOT/tools/command-provider
  build_command_compat() {
    cd "$COMPAT_DIR"
    go build -trimpath -ldflags "-s -w -X main.Version=$CMD_VERSION" \
      -o "$BIN/pulumi-resource-command.tmp" . >&2
    mv "$BIN/pulumi-resource-command.tmp" "$BIN/pulumi-resource-command"
  }
  command_compat() {  # reason the official provider is not built
    log "WARNING: official pulumi-resource-command v$CMD_VERSION cannot be built: $1"
    if [ ! -f "$COMPAT_DIR/go.mod" ]; then
      missing pulumi-resource-command "$1 (and $COMPAT_DIR is absent)"; return
    fi
    local S
    S="compat $(cd "$COMPAT_DIR" && find . -maxdepth 1 -type f \( -name '*.go' ! -name '*_test.go' -o -name go.mod -o -name go.sum \) \
      | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16) v$CMD_VERSION"
    log "************************************************************************"
    log "* USING THE PROJECT'S COMPATIBLE PROVIDER (tools/command-provider) AS   *"
    log "* pulumi-resource-command, NOT THE OFFICIAL PULUMI COMMAND PROVIDER.    *"
    log "* It implements command:remote:Command only. Production: install the    *"
    log "* official plugin: pulumi plugin install resource command $CMD_VERSION"
    log "************************************************************************"
    if stamp_ok pulumi-resource-command "$S"; then
      log "pulumi-resource-command (compat, $S): cached"
    else
      log "building pulumi-resource-command from tools/command-provider ($S)"
      timed pulumi-resource-command-compat build_command_compat
      stamp_set pulumi-resource-command "$S"
    fi
  }
  # ---- end 3b ----------------------------------------------------------------
  if [ -n "$CMD_MV" ] && stamp_ok pulumi-resource-command "$CMD_MV v$CMD_VERSION"; then
    log "pulumi-resource-command v$CMD_VERSION: cached"
  elif [ -z "$CMD_MV" ]; then
    command_compat "no module version known for @pulumi/command $CMD_VERSION"
  elif ! mod_available "$CMD_MV"; then
    command_compat "$CMD_MV is refused by the Go module proxy"
  else
    log "building pulumi-resource-command v$CMD_VERSION ($CMD_MV)"
    timed pulumi-resource-command build_command
    stamp_set pulumi-resource-command "$CMD_MV v$CMD_VERSION"
  fi
fi

# ---- 4. pulumi-resource-kubernetes ---------------------------------------------
if [ -n "$K8S_VERSION" ]; then
  K8S_MOD=github.com/pulumi/pulumi-kubernetes/provider/v4
  K8S_PSEUDO=$(k8s_pseudo "$K8S_VERSION")
  build_k8s() {
    local D W=$SRC/kubernetes-provider
    D=$(go mod download -json "$K8S_MOD@$K8S_PSEUDO" | node -e \
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.Error){console.error(j.Error);process.exit(1)}process.stdout.write(j.Dir)})')
    # The module is built as the main module of a writable copy: cmd/ embeds
    # schema-embed.json / terraform-mapping-embed.json, which are gitignored
    # upstream and produced by `go generate` (generate.go) from the committed
    # schema.json / terraform-mapping.json that the module zip does contain.
    rm -rf "$W"
    cp -r "$D" "$W"
    chmod -R u+w "$W"
    cd "$W"
    # upstream: replace sdk/v4 => ../sdk ; use the served sdk module instead.
    go mod edit -dropreplace=github.com/pulumi/pulumi-kubernetes/sdk/v4 \
      -require="github.com/pulumi/pulumi-kubernetes/sdk/v4@v$K8S_VERSION"
    (cd cmd/pulumi-resource-kubernetes && VERSION=$K8S_VERSION GOFLAGS="$GOFLAGS -mod=mod" go run generate.go >&2)
    GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath \
      -ldflags "-s -w -X $K8S_MOD/pkg/version.Version=v$K8S_VERSION" \
      -o "$BIN/pulumi-resource-kubernetes.tmp" ./cmd/pulumi-resource-kubernetes >&2
    mv "$BIN/pulumi-resource-kubernetes.tmp" "$BIN/pulumi-resource-kubernetes"
  }
  if [ -n "$K8S_PSEUDO" ] && stamp_ok pulumi-resource-kubernetes "$K8S_MOD@$K8S_PSEUDO v$K8S_VERSION"; then
    log "pulumi-resource-kubernetes v$K8S_VERSION: cached"
  elif [ -z "$K8S_PSEUDO" ]; then
    missing pulumi-resource-kubernetes "no module version known for @pulumi/kubernetes $K8S_VERSION"
  elif ! mod_available "$K8S_MOD@$K8S_PSEUDO"; then
    missing pulumi-resource-kubernetes "$K8S_MOD@$K8S_PSEUDO is refused by the Go module proxy"
  else
    log "building pulumi-resource-kubernetes v$K8S_VERSION ($K8S_MOD@$K8S_PSEUDO)"
    timed pulumi-resource-kubernetes build_k8s
    stamp_set pulumi-resource-kubernetes "$K8S_MOD@$K8S_PSEUDO v$K8S_VERSION"
  fi
fi

[ ${#MISSING[@]} -eq 0 ] || log "NOT BUILT: ${MISSING[*]}"
log "bin dir: $BIN"
echo "$BIN"
