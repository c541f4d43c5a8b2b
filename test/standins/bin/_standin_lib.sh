# shellcheck shell=bash
# Shared helpers for the k3s node stand-ins. Sourced, never executed.
# Lives inside bin/ on purpose: e2e nodes bind-mount bin/ over /usr/local/sbin,
# so anything outside bin/ is not reachable there.

STANDIN_STATE="${K3S_STANDIN_STATE:-/var/lib/k3s-standin}"
STANDIN_ROOT="${K3S_HARDEN_ROOT:-}"
STANDIN_ROOT="${STANDIN_ROOT%/}"

standin_state_dir() {
  mkdir -p "$STANDIN_STATE"
  printf '%s\n' "$STANDIN_STATE"
}

# Strip a trailing ".service" so "k3s" and "k3s.service" are the same unit.
standin_unit() {
  local u="$1"
  printf '%s\n' "${u%.service}"
}

standin_hostname() {
  if [[ -n "${K3S_STANDIN_HOSTNAME:-}" ]]; then
    printf '%s\n' "$K3S_STANDIN_HOSTNAME"
  elif [[ -r /proc/sys/kernel/hostname ]]; then
    cat /proc/sys/kernel/hostname
  else
    hostname 2>/dev/null || printf 'localhost\n'
  fi
}

# standin_journal <unit> <message...>: append one journal line.
standin_journal() {
  local unit msg dir
  unit="$(standin_unit "$1")"
  shift
  msg="$*"
  dir="$(standin_state_dir)"
  printf '%s %s %s[%s]: %s\n' "$(date +%Y-%m-%dT%H:%M:%S.%N%z)" "$(standin_hostname)" "$unit" "$$" "$msg" >>"$dir/journal.log"
}

# Units present on this fake node, one per line (without .service).
standin_units() {
  local f="$STANDIN_STATE/units" line
  if [[ -f "$f" ]]; then
    while IFS= read -r line || [[ -n "$line" ]]; do
      line="${line%%#*}"
      line="${line//[[:space:]]/}"
      [[ -n "$line" ]] && standin_unit "$line"
    done <"$f"
  else
    printf 'k3s\nk3s-agent\n'
  fi
}

standin_unit_present() {
  local want u
  want="$(standin_unit "$1")"
  while IFS= read -r u; do
    [[ "$u" == "$want" ]] && return 0
  done < <(standin_units)
  return 1
}

# Why health fails right now; empty output + return 1 when healthy.
standin_health_failure_reason() {
  local needle cfg="$STANDIN_ROOT/etc/rancher/k3s/config.yaml"
  if [[ -e "$STANDIN_STATE/hang-health" ]]; then
    printf 'standin health probe hangs\n'
    return 0
  fi
  if [[ -e "$STANDIN_STATE/fail-health" ]]; then
    printf 'standin health failure\n'
    return 0
  fi
  if [[ -f "$STANDIN_STATE/fail-health-if-config-contains" ]]; then
    needle="$(head -n 1 "$STANDIN_STATE/fail-health-if-config-contains")"
    if [[ -n "$needle" && -f "$cfg" ]] && grep -qF -- "$needle" "$cfg"; then
      printf 'standin health failure (config.yaml contains %s)\n' "$needle"
      return 0
    fi
  fi
  return 1
}

# Unit a fatal line is attributed to. "k3s" (apiserver) always for the
# server; otherwise the last restarted unit, else $1.
standin_failing_unit() {
  local last=""
  if [[ "$1" != k3s && -s "$STANDIN_STATE/restarts.log" ]]; then
    last="$(tail -n 1 "$STANDIN_STATE/restarts.log")"
  fi
  standin_unit "${last:-$1}"
}

# standin_check_health <default unit> <component>: 0 when healthy; when failing,
# appends a fatal journal line and returns 1.
standin_check_health() {
  local reason unit fill
  # A disk that fills up while k3s starts: the first probe fills the filesystem holding the named path.
  if [[ -f "$STANDIN_STATE/fill-disk-on-probe" ]]; then
    fill="$(head -n 1 "$STANDIN_STATE/fill-disk-on-probe")"
    rm -f "$STANDIN_STATE/fill-disk-on-probe"
    dd if=/dev/zero of="$fill" bs=64k >/dev/null 2>&1 || true
  fi
  # An API server or kubelet that accepts the connection and never answers.
  [[ -e "$STANDIN_STATE/hang-health" ]] && exec sleep 3600
  if ! reason="$(standin_health_failure_reason)"; then
    return 0
  fi
  unit="$(standin_failing_unit "$1")"
  standin_journal "$unit" "time=\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" level=fatal msg=\"$2 exited: $reason\""
  return 1
}

# Server nodes of the e2e harness run the real control plane (test/standins/bin/_k3s_server.js) when
# $STATE/control-plane.json exists; unit k3s is then that service instead of a recording.
standin_control_plane() {
  [[ "$(standin_unit "$1")" == k3s && -f "$STANDIN_STATE/control-plane.json" ]]
}

# One systemd job at a time: a start or stop waits for the one in progress (e.g. of a killed run).
standin_k3s_server() {
  local lock
  lock="$(standin_state_dir)/control-plane.lock"
  flock "$lock" node "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/_k3s_server.js" "$@"
}

# A value of control-plane.json (a top-level string).
standin_control_plane_setting() {
  node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]] ?? ""))' \
    "$STANDIN_STATE/control-plane.json" "$1"
}

# systemctl restart/start of the real control plane: systemd's messages on failure.
standin_control_plane_start() {
  local unit="$1"
  if standin_k3s_server start; then
    standin_journal "$unit" "Started $unit"
    return 0
  fi
  standin_journal "$unit" "$unit.service: Main process exited, code=exited, status=1/FAILURE"
  standin_journal "$unit" "Failed to start $unit."
  echo "Job for $unit.service failed because the control process exited with error code." >&2
  echo "See \"systemctl status $unit.service\" and \"journalctl -xeu $unit.service\" for details." >&2
  return 1
}
