# Shared by scripts/build-engine.sh and scripts/build-control-plane.sh; sourced, not run.
# Before sourcing: BUILD_NAME (log prefix). After `cache_dir <name>`: OUT, BIN, SRC, TIMES, the
# cache folder locked against concurrent runs. Builds use the Go module proxy only, no cgo, no VCS
# stamping, and the local Go toolchain.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { echo "[$BUILD_NAME] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null || { [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"; }
command -v go >/dev/null || die "go not found"
command -v node >/dev/null || die "node not found (needed to read package.json)"

export CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

cache_dir() {  # name: ${K3S_HARDENING_CACHE:-~/.cache/k3s-hardening}/<name>
  OUT=${K3S_HARDENING_CACHE:-$HOME/.cache/k3s-hardening}/$1
  BIN=$OUT/bin
  SRC=$OUT/src
  TIMES=$OUT/build-times.txt
  mkdir -p "$BIN" "$SRC"
  # Serialize concurrent runs on the same cache folder.
  if command -v flock >/dev/null; then
    exec 9>"$OUT/.lock"
    flock 9
  fi
}

stamp_ok() {  # name expected-stamp: the binary is there and was built from that
  [ -x "$BIN/$1" ] && [ -f "$BIN/.$1.stamp" ] && [ "$(cat "$BIN/.$1.stamp")" = "$2" ]
}
stamp_set() { printf '%s' "$2" >"$BIN/.$1.stamp"; }

timed() {  # name cmd... : runs cmd, logs and records its wall time
  local name=$1 t0 t1; shift
  t0=$(date +%s)
  "$@"
  t1=$(date +%s)
  log "$name built in $((t1 - t0))s"
  echo "$(date -u +%FT%TZ) $name $((t1 - t0))s" >>"$TIMES"
}

# The folder of vendored upstream sources (kept outside this repository, see ../shared/vendor/README.md)
# that holds every path given: $K3S_HARDENING_VENDOR, ../shared/vendor next to the repository, then
# /work/shared/vendor. Dies naming what it looked for.
find_vendor() {  # required-path...
  local d p ok
  for d in "${K3S_HARDENING_VENDOR:-}" "$ROOT/../shared/vendor" /work/shared/vendor; do
    [ -n "$d" ] || continue
    ok=1
    for p in "$@"; do [ -e "$d/$p" ] || ok=0; done
    if [ "$ok" = 1 ]; then (cd "$d" && pwd); return 0; fi
  done
  die "vendored sources not found: set K3S_HARDENING_VENDOR to the folder holding $* (tried \$ROOT/../shared/vendor and /work/shared/vendor)"
}
