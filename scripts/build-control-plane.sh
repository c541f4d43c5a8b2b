#!/usr/bin/env bash
# Builds the real Kubernetes control plane the end-to-end tests run on the server test nodes:
# kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from the k8s.io/kubernetes Go
# module, and etcd from go.etcd.io/etcd/server/v3, through the Go module proxy only. Versions come
# from package.json "testCluster" (one place). Binaries are cached per version under
#   ${K3S_HARDENING_CACHE:-~/.cache/k3s-hardening}/control-plane-k8s<v>-etcd<v>-r<recipe>/bin
# and that folder is printed as the LAST line of stdout; progress goes to stderr.
#
#   CP_BIN=$(scripts/build-control-plane.sh | tail -n 1)
#
# Env: CP_KUBERNETES_VERSION / CP_ETCD_VERSION override package.json.
set -euo pipefail

BUILD_NAME=build-control-plane
# shellcheck source=scripts/build-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/build-lib.sh"

# Reads a JSON path from stdin (a file or `go ... -json` output); prints "" when absent.
json_get() {
  node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const j = JSON.parse(s);
      if (j.Error) { console.error(j.Error); process.exit(1); }
      let v = j; for (const k of process.argv[1].split(".")) v = v == null ? undefined : v[k];
      process.stdout.write(v == null ? "" : typeof v === "string" ? v : JSON.stringify(v));
    });' "$1"
}

KUBE=${CP_KUBERNETES_VERSION:-$(json_get testCluster.kubernetes <"$ROOT/package.json")}
ETCD=${CP_ETCD_VERSION:-$(json_get testCluster.etcd <"$ROOT/package.json")}
[[ $KUBE =~ ^1\.[0-9]+\.[0-9]+$ ]] || die "package.json testCluster.kubernetes must be like 1.36.3, got '$KUBE'"
[[ $ETCD =~ ^3\.[0-9]+\.[0-9]+$ ]] || die "package.json testCluster.etcd must be like 3.6.17, got '$ETCD'"
MINOR=$(echo "$KUBE" | cut -d. -f2)
STAGING=0.${KUBE#1.}   # the published staging modules (k8s.io/api, ...) are v0.<minor>.<patch>

RECIPE=1   # bump when the build recipe changes, to get a fresh cache dir
cache_dir "control-plane-k8s$KUBE-etcd$ETCD-r$RECIPE"
KUBE_CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)

# ---- Kubernetes ---------------------------------------------------------------------------------
# k8s.io/kubernetes cannot be required as is: its go.mod replaces every k8s.io staging module with a
# ./staging/ folder that the module zip lacks. A wrapper module restates those replaces against the
# published staging modules of the same release, copies the godebug settings, and blank-imports the
# commands so that `go mod tidy` keeps their dependencies.
kube_wrapper() {
  local W=$SRC/kubernetes upstream cmd
  rm -rf "$W"; mkdir -p "$W"; cd "$W"
  go mod init local.invalid/control-plane-build >/dev/null 2>&1
  upstream=$(go mod download -json "k8s.io/kubernetes@v$KUBE" | json_get GoMod) ||
    die "k8s.io/kubernetes@v$KUBE is not served by the Go module proxy"
  # Upstream's go.mod read once: its staging replaces, its godebug lines and its go version, as
  # `go mod edit` arguments, one per line (a command substitution, so a failure stops the build).
  local edits_text edits=()
  edits_text=$(go mod edit -json "$upstream" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const j = JSON.parse(s);
      for (const r of j.Replace || []) {
        if (r.New.Path.startsWith("./staging/")) console.log(`-replace=${r.Old.Path}=${r.Old.Path}@v${process.argv[1]}`);
        else if (r.New.Path.startsWith("./")) { console.error("unexpected local replace " + r.Old.Path); process.exit(1); }
      }
      for (const g of j.GoDebug || []) console.log(`-godebug=${g.Key}=${g.Value}`);
      console.log(`-go=${j.Go}`);
    });' "$STAGING") || die "cannot read the go.mod of k8s.io/kubernetes@v$KUBE"
  mapfile -t edits <<<"$edits_text"
  go mod edit "${edits[@]}" -require="k8s.io/kubernetes@v$KUBE"
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for cmd in "${KUBE_CMDS[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$cmd"; done
    printf ')\n'
  } >tools.go
  go mod tidy >&2
}

kube_build() {  # command
  local V=k8s.io/component-base/version CV=k8s.io/client-go/pkg/version LD
  # The version stamps upstream's hack/lib/version.sh sets; without them the binaries report v0.0.0.
  LD="-s -w -X $V.gitVersion=v$KUBE -X $V.gitMajor=1 -X $V.gitMinor=$MINOR -X $V.gitTreeState=clean"
  LD="$LD -X $V.buildDate=1970-01-01T00:00:00Z"
  LD="$LD -X $CV.gitVersion=v$KUBE -X $CV.gitMajor=1 -X $CV.gitMinor=$MINOR -X $CV.gitTreeState=clean"
  cd "$SRC/kubernetes"
  go build -p 2 -trimpath -ldflags "$LD" -o "$BIN/$1.tmp" "k8s.io/kubernetes/cmd/$1" >&2
  mv "$BIN/$1.tmp" "$BIN/$1"
}

S="kubernetes v$KUBE"
wrapper_ready=0
for c in "${KUBE_CMDS[@]}"; do
  if stamp_ok "$c" "$S"; then
    log "$c v$KUBE: cached"
    continue
  fi
  if [ $wrapper_ready = 0 ]; then
    log "resolving k8s.io/kubernetes v$KUBE (a cold build of all four takes 15-45 min on 2 cores)"
    timed kubernetes-modules kube_wrapper
    wrapper_ready=1
  fi
  log "building $c v$KUBE"
  timed "$c" kube_build "$c"
  got=$("$BIN/$c" --version 2>/dev/null || "$BIN/$c" version --client 2>/dev/null || true)
  [[ $got == *"v$KUBE"* ]] || die "built $c reports '$got', want v$KUBE"
  stamp_set "$c" "$S"
done

# ---- etcd ---------------------------------------------------------------------------------------
etcd_build() {
  local W=$SRC/etcd
  rm -rf "$W"; mkdir -p "$W"; cd "$W"
  go mod init local.invalid/etcd-build >/dev/null 2>&1
  # server/v3 requires its sibling modules at the same version; its etcdmain package is etcd's main.
  printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' >main.go
  go get "go.etcd.io/etcd/server/v3@v$ETCD" >&2
  go mod tidy >&2
  go build -p 2 -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" . >&2
  mv "$BIN/etcd.tmp" "$BIN/etcd"
}
S="etcd v$ETCD"
if stamp_ok etcd "$S"; then
  log "etcd v$ETCD: cached"
else
  log "building etcd v$ETCD"
  timed etcd etcd_build
  got=$("$BIN/etcd" --version 2>/dev/null | head -n 1 || true)
  [[ $got == *"$ETCD"* ]] || die "built etcd reports '$got', want $ETCD"
  stamp_set etcd "$S"
fi

log "bin dir: $BIN"
echo "$BIN"
