#!/usr/bin/env bash
# Builds the real S3 server the evidence tests run against: versitygw (Apache-2.0) from the Go module
# proxy, at the version in package.json "testCluster.versitygw" (one place). MinIO is AGPL and stays out
# of the project and its tests. Cached per version under
#   ${K3S_HARDENING_CACHE:-~/.cache/k3s-hardening}/versitygw-<v>-r<recipe>/bin
# and that folder is printed as the LAST line of stdout; progress goes to stderr.
#
#   S3_BIN=$(scripts/build-s3-server.sh | tail -n 1)
set -euo pipefail

BUILD_NAME=build-s3-server
# shellcheck source=scripts/build-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/build-lib.sh"

V=$(node -p 'require(process.argv[1]).testCluster.versitygw' "$ROOT/package.json")
[[ $V =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "package.json testCluster.versitygw must be like 1.8.0, got '$V'"
RECIPE=1
cache_dir "versitygw-$V-r$RECIPE"
S="versitygw v$V"
if stamp_ok versitygw "$S"; then
  log "$S: cached"
else
  log "building $S (go install from the module proxy)"
  build() { GOBIN="$SRC" go install "github.com/versity/versitygw/cmd/versitygw@v$V" && mv -f "$SRC/versitygw" "$BIN/versitygw"; }
  timed versitygw build
  "$BIN/versitygw" --version >/dev/null 2>&1 || "$BIN/versitygw" --help >/dev/null 2>&1 || die "the built versitygw does not run"
  stamp_set versitygw "$S"
fi
log "bin dir: $BIN"
echo "$BIN"
