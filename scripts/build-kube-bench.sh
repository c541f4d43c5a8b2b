#!/usr/bin/env bash
# Builds the real kube-bench the tests run, from the released source of v0.15.6 kept outside this
# repository (../shared/vendor/kube-bench, or $K3S_HARDENING_VENDOR/kube-bench; the Go module proxy
# refuses github.com/aquasecurity/kube-bench). Its dependencies come from the Go module proxy. Cached
# per version under ${K3S_HARDENING_CACHE:-~/.cache/k3s-hardening}/kube-bench-<v>-r<recipe>/bin, next to
# a copy of its cfg/ (bin/../cfg); the bin folder is printed as the LAST line of stdout.
#
#   KB_BIN=$(scripts/build-kube-bench.sh | tail -n 1)
set -euo pipefail

BUILD_NAME=build-kube-bench
# shellcheck source=scripts/build-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/build-lib.sh"

V=v0.15.6
RECIPE=1
VENDOR=$(find_vendor kube-bench/go.mod kube-bench/cfg)
cache_dir "kube-bench-${V#v}-r$RECIPE"
S="kube-bench $V from $VENDOR/kube-bench"
if stamp_ok kube-bench "$S" && [ -f "$OUT/cfg/config.yaml" ]; then
  log "$S: cached"
else
  log "building $S"
  build() {
    rm -rf "$SRC/kube-bench" && cp -R "$VENDOR/kube-bench" "$SRC/kube-bench" && chmod -R u+w "$SRC/kube-bench"
    (cd "$SRC/kube-bench" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-X github.com/aquasecurity/kube-bench/cmd.KubeBenchVersion=$V" -o "$BIN/kube-bench" .)
    rm -rf "$OUT/cfg" && cp -R "$VENDOR/kube-bench/cfg" "$OUT/cfg"
  }
  timed kube-bench build
  got=$("$BIN/kube-bench" version 2>/dev/null | head -n 1 || true)
  [[ $got == *"${V#v}"* ]] || die "built kube-bench reports '$got', want $V"
  stamp_set kube-bench "$S"
fi
log "bin dir: $BIN"
echo "$BIN"
