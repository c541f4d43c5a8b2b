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
#   K3S_HARDENING_VENDOR  folder with the vendored sources of the official
#                         pulumi-language-nodejs and pulumi-resource-command
#                         (default ../shared/vendor next to the repo, then
#                         /work/shared/vendor)
#   ENGINE_STRICT=1       fail (exit 1) if a piece cannot be built, instead of
#                         warning and leaving it out.
#   ENGINE_PULUMI_VERSION / ENGINE_K8S_VERSION / ENGINE_COMMAND_VERSION
#                         override the versions read from package.json
set -euo pipefail

BUILD_NAME=build-engine
# shellcheck source=scripts/build-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/build-lib.sh"

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
cache_dir "engine-$KEY"

PULUMI_LD="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
MISSING=()

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

# ---- vendored sources ---------------------------------------------------------
# The Go proxy refuses the modules of the Node.js language host and of the command provider; their
# released, unmodified sources are kept outside this repository (../shared/vendor, see its README).
# They are copied to a writable folder under the cache and built there; nothing is edited but the
# language host's two monorepo `replace` lines, which are pointed at the proxy's v$PULUMI_VERSION.
VENDOR=$(find_vendor pulumi-command/provider pulumi-language-nodejs)
# Content hash of a vendored folder: a changed source gets a fresh build.
tree_hash() { (cd "$1" && find . -type f ! -name '*_test.go' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }
vendor_copy() {  # src dst
  rm -rf "$2"; mkdir -p "$(dirname "$2")"
  cp -r "$1" "$2"; chmod -R u+w "$2"
}

# ---- 2. pulumi-language-nodejs (the official one, from vendored source) ----------
LH_SRC=$VENDOR/pulumi-language-nodejs
build_langhost() {
  local W=$SRC/langhost
  vendor_copy "$LH_SRC" "$W"
  cd "$W"
  go mod edit \
    -replace="github.com/pulumi/pulumi/pkg/v3=github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" \
    -replace="github.com/pulumi/pulumi/sdk/v3=github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
  GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath \
    -ldflags "-s -w $PULUMI_LD=v$PULUMI_VERSION" \
    -o "$BIN/pulumi-language-nodejs.tmp" . >&2
  mv "$BIN/pulumi-language-nodejs.tmp" "$BIN/pulumi-language-nodejs"
}
S="official v$PULUMI_VERSION src $(tree_hash "$LH_SRC")"
if stamp_ok pulumi-language-nodejs "$S"; then
  log "pulumi-language-nodejs v$PULUMI_VERSION: cached"
else
  log "building pulumi-language-nodejs v$PULUMI_VERSION from $LH_SRC"
  timed pulumi-language-nodejs build_langhost
  stamp_set pulumi-language-nodejs "$S"
fi

# Provider for pulumi.dynamic.Resource (the release tarball ships an equivalent
# script): resolves @pulumi/pulumi's dynamic-provider from the program's
# node_modules (cwd = program dir) and runs it with node.
cat >"$BIN/pulumi-resource-pulumi-nodejs" <<'SH'
#!/bin/sh
exec node "$(node -p 'require.resolve("@pulumi/pulumi/cmd/dynamic-provider")')" "$@"
SH
chmod +x "$BIN/pulumi-resource-pulumi-nodejs"
# Left by earlier recipes: the policy-pack shim is not needed with the official language host.
rm -f "$BIN/pulumi-analyzer-policy-nodepolicy"

# ---- 3. pulumi-resource-command (the official one, from vendored source) ---------
if [ -n "$CMD_VERSION" ]; then
  CMD_SRC=$VENDOR/pulumi-command/provider
  build_command() {
    local W=$SRC/command
    vendor_copy "$CMD_SRC" "$W"
    cd "$W"
    GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi-command/provider/pkg/version.Version=$CMD_VERSION" \
      -o "$BIN/pulumi-resource-command.tmp" ./cmd/pulumi-resource-command >&2
    mv "$BIN/pulumi-resource-command.tmp" "$BIN/pulumi-resource-command"
  }
  S="official v$CMD_VERSION src $(tree_hash "$CMD_SRC")"
  if stamp_ok pulumi-resource-command "$S"; then
    log "pulumi-resource-command v$CMD_VERSION: cached"
  else
    log "building pulumi-resource-command v$CMD_VERSION from $CMD_SRC"
    timed pulumi-resource-command build_command
    stamp_set pulumi-resource-command "$S"
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
