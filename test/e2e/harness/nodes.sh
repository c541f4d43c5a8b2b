#!/usr/bin/env bash
# Fake k3s nodes for e2e tests: one sshd per node, each in its own network,
# mount and UTS namespace, reachable from the host over a private bridge.
#
#   E2E_DIR=/tmp/x test/e2e/harness/nodes.sh up|down|status
#   E2E_DIR=/tmp/x test/e2e/harness/nodes.sh stop|start|rekey <node>
#   E2E_DIR=/tmp/x test/e2e/harness/nodes.sh authorize <public key file>...
#
# E2E_NODE_COUNT=N (same value for every call) gives N nodes instead of the default four:
# 3 servers when N >= 5, else 1, the rest agents, all logging in as root.
#
# E2E_CONTROL_PLANE_BIN=<dir> (from scripts/build-control-plane.sh): every server node runs the real
# control plane as its k3s unit (test/standins/bin/_k3s_server.js), started by `up` from the node's
# config.yaml as k3s would; without it, k3s is only a recording stand-in.
#
# See test/e2e/harness/README.md.
set -euo pipefail

HARNESS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HARNESS_DIR/../../.." && pwd)"
STANDINS_BIN="$REPO_ROOT/test/standins/bin"

BRIDGE=k3sh-br0
BRIDGE_ADDR=10.231.0.1
PREFIX_LEN=24
DEPLOY_USER=k3sdeploy
SSHD=/usr/sbin/sshd

# name ip login-user role sudo
if [[ -n "${E2E_NODE_COUNT:-}" ]]; then
  [[ "$E2E_NODE_COUNT" =~ ^[1-9][0-9]?$ && "$E2E_NODE_COUNT" -le 60 ]] || { echo "E2E_NODE_COUNT must be 1..60" >&2; exit 2; }
  NODES=()
  servers=1; [[ "$E2E_NODE_COUNT" -ge 5 ]] && servers=3
  for ((i = 1; i <= E2E_NODE_COUNT; i++)); do
    if ((i <= servers)); then NODES+=("cp-$i 10.231.0.$((10 + i)) root server false")
    else NODES+=("wk-$((i - servers)) 10.231.0.$((10 + i)) root agent false"); fi
  done
else
  NODES=(
    "cp-1 10.231.0.11 root server false"
    "cp-2 10.231.0.12 $DEPLOY_USER server true"
    "wk-1 10.231.0.13 root agent false"
    "wk-2 10.231.0.14 root agent false"
  )
fi

# Host paths replaced by per-node directories inside each node.
NODE_MOUNTS=(/etc/rancher /var/lib/rancher /etc/sysctl.d /var/log/kubernetes /var/lib/k3s-standin)

HOST_SUDOERS_FALLBACK=/etc/sudoers.d/k3sdeploy-e2e
# Host mount points that `up` had to create; kept outside E2E_DIR so a later
# `down` (even with another E2E_DIR) can remove them again.
CREATED_MOUNTPOINTS=/run/k3sh-e2e/created-mountpoints

log() { printf '[nodes] %s\n' "$*" >&2; }
die() { printf '[nodes] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  echo "usage: E2E_DIR=<dir> $0 up|down|status | stop|start|rekey <node> | authorize <pubkey file>..." >&2
  exit 2
}

require_env() {
  [[ -n "${E2E_DIR:-}" ]] || die "E2E_DIR must be set (a directory owned by the test)"
  [[ "$(id -u)" -eq 0 ]] || die "must run as root (ip netns, mount, useradd)"
  mkdir -p "$E2E_DIR"
  E2E_DIR="$(cd "$E2E_DIR" && pwd -P)"
}

ns_name() { printf 'k3sh-%s\n' "$1"; }
veth_name() { printf 'k3sh-%s\n' "$1"; }
node_dir() { printf '%s/nodes/%s\n' "$E2E_DIR" "$1"; }

# ---------------------------------------------------------------- down

# True while pid exists and is not a zombie (a daemonized sshd is reparented
# to PID 1, which may reap it late; kill -0 succeeds on zombies).
pid_alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

# Kill a process we started, by pid, and wait for it to go away.
kill_pid() {
  local pid="$1" i
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
}

down_node() {
  local name="$1" ns veth pidfile pid
  ns="$(ns_name "$name")"
  veth="$(veth_name "$name")"
  pidfile="$(node_dir "$name")/sshd.pid"

  if [[ -f "$pidfile" ]]; then
    pid="$(head -n 1 "$pidfile" 2>/dev/null || true)"
    # only if it is an sshd living in our namespace
    if [[ -n "$pid" && -e "/proc/$pid" ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == sshd ]]; then
      kill_pid "$pid"
    fi
    rm -f "$pidfile"
  fi

  if ip netns list 2>/dev/null | grep -qw -- "$ns"; then
    # leftovers (other E2E_DIR, open sessions): every process in our netns is ours
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do
      kill_pid "$pid"
    done
    ip netns del "$ns" 2>/dev/null || log "could not delete netns $ns"
  fi
  if ip link show "$veth" >/dev/null 2>&1; then
    ip link del "$veth" 2>/dev/null || true
  fi
}

cmd_down() {
  local spec name ns
  for spec in "${NODES[@]}"; do
    read -r name _ <<<"$spec"
    down_node "$name"
  done
  # nodes of an earlier run with another E2E_NODE_COUNT
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^k3sh-/ { print $1 }'); do
    down_node "${ns#k3sh-}"
  done
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link del "$BRIDGE" 2>/dev/null || log "could not delete bridge $BRIDGE"
  fi
  rm -f "$HOST_SUDOERS_FALLBACK"
  # empty host mount points that `up` created
  local created="$CREATED_MOUNTPOINTS" d
  if [[ -f "$created" ]]; then
    while IFS= read -r d; do
      if [[ -n "$d" ]]; then rmdir "$d" 2>/dev/null || true; fi
    done <"$created"
    rm -f "$created"
  fi
  rm -f "$E2E_DIR/nodes.json"
}

# ---------------------------------------------------------------- up

check_tools() {
  local c
  for c in ip unshare mount ssh-keygen useradd "$SSHD"; do
    command -v "$c" >/dev/null 2>&1 || die "missing $c; run $HARNESS_DIR/install-deps.sh"
  done
  [[ -x "$STANDINS_BIN/systemctl" ]] || die "stand-ins not found in $STANDINS_BIN"
}

ensure_user() {
  if ! getent passwd "$DEPLOY_USER" >/dev/null; then
    useradd --create-home --shell /bin/bash "$DEPLOY_USER"
  fi
  # useradd leaves the password field "!" (locked). With UsePAM no, sshd refuses
  # every login to a locked account, keys included; "*" = no password, not locked.
  local pw
  pw="$(getent shadow "$DEPLOY_USER" | cut -d: -f2)"
  if [[ "$pw" == '!'* ]]; then
    usermod -p '*' "$DEPLOY_USER"
  fi
}

ensure_keys() {
  mkdir -p "$E2E_DIR/ssh"
  # k3sdeploy must traverse to its authorized_keys (sshd reads it as the user)
  chmod 0711 "$E2E_DIR"
  chmod 0755 "$E2E_DIR/ssh"
  if [[ ! -f "$E2E_DIR/id_ed25519" || ! -f "$E2E_DIR/id_ed25519.pub" ]]; then
    rm -f "$E2E_DIR/id_ed25519" "$E2E_DIR/id_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C k3sh-e2e-client -f "$E2E_DIR/id_ed25519"
  fi
  chmod 0600 "$E2E_DIR/id_ed25519"
  install -m 0644 "$E2E_DIR/id_ed25519.pub" "$E2E_DIR/ssh/authorized_keys"
}

ensure_mountpoints() {
  local d
  for d in "${NODE_MOUNTS[@]}" /run/sshd; do
    if [[ ! -d "$d" ]]; then
      mkdir -p "$d"
      if [[ "$d" != /run/sshd ]]; then
        mkdir -p "${CREATED_MOUNTPOINTS%/*}"
        printf '%s\n' "$d" >>"$CREATED_MOUNTPOINTS"
      fi
    fi
  done
  chmod 0755 /run/sshd
}

setup_bridge() {
  ip link add "$BRIDGE" type bridge
  ip addr add "$BRIDGE_ADDR/$PREFIX_LEN" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

setup_node_net() {
  local name="$1" ip="$2" ns veth
  ns="$(ns_name "$name")"
  veth="$(veth_name "$name")"
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$BRIDGE"
  ip link set "$veth" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$ip/$PREFIX_LEN" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$BRIDGE_ADDR"
}

write_sshd_config() {
  local name="$1" ip="$2" user="$3" dir="$4"
  cat >"$dir/sshd_config" <<EOF
# generated by test/e2e/harness/nodes.sh for node $name
ListenAddress $ip:22
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $E2E_DIR/ssh/authorized_keys
# E2E_DIR is usually under /tmp (mode 1777): StrictModes rejects any key file
# below a group/world-writable directory, whatever the file's own mode.
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
# Both logins on every node: tests switch a node between root and a sudo user.
AllowUsers root $DEPLOY_USER
# pam_loginuid and friends fail in containers; keys need no PAM.
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 50:30:100
MaxSessions 50
LogLevel VERBOSE
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
}

write_node_hosts() {
  local name="$1" dir="$2" spec n i
  {
    grep -v -E '^127\.0\.1\.1[[:space:]]' /etc/hosts || true
    printf '127.0.1.1 %s\n' "$name"
    for spec in "${NODES[@]}"; do
      read -r n i _ <<<"$spec"
      printf '%s %s\n' "$i" "$n"
    done
  } >"$dir/hosts"
}

prepare_node() {
  local name="$1" ip="$2" user="$3" sudo="$4" dir m
  dir="$(node_dir "$name")"
  mkdir -p "$dir"
  for m in "${NODE_MOUNTS[@]}"; do
    mkdir -p "$dir/root$m"
  done
  if [[ ! -f "$dir/ssh_host_ed25519_key" ]]; then
    ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$dir/ssh_host_ed25519_key"
  fi
  chmod 0600 "$dir/ssh_host_ed25519_key"
  write_sshd_config "$name" "$ip" "$user" "$dir"
  write_node_hosts "$name" "$dir"
  rm -rf "$dir/sudoers.d"
  # node-private /etc/sudoers.d: the host's entries plus the deploy user's rule
  mkdir -m 0755 "$dir/sudoers.d"
  cp -a /etc/sudoers.d/. "$dir/sudoers.d/" 2>/dev/null || true
  printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\n' "$DEPLOY_USER" >"$dir/sudoers.d/k3sdeploy-e2e"
  chmod 0440 "$dir/sudoers.d/k3sdeploy-e2e"
  : >"$dir/sshd.log"
}

start_node() {
  local name="$1" dir ns
  dir="$(node_dir "$name")"
  ns="$(ns_name "$name")"
  "$SSHD" -t -f "$dir/sshd_config" || die "sshd config for $name is invalid"
  # node-init.sh bind-mounts the per-node dirs, then execs sshd, which
  # daemonizes and keeps the namespaces alive.
  ip netns exec "$ns" unshare --mount --propagation private --uts -- \
    "$HARNESS_DIR/node-init.sh" "$name" "$dir" "$STANDINS_BIN" "$SSHD" \
    || die "could not start sshd for $name (see $dir/sshd.log)"
}

wait_node() {
  local name="$1" dir i
  dir="$(node_dir "$name")"
  # sshd writes its PidFile after binding the listener
  for ((i = 0; i < 100; i++)); do
    [[ -s "$dir/sshd.pid" ]] && return 0
    sleep 0.1
  done
  cat "$dir/sshd.log" >&2 || true
  die "sshd for $name did not start"
}

json_str() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}

write_nodes_json() {
  local spec name ip user role sudo dir hostkey first=1
  : >"$E2E_DIR/known_hosts"
  {
    printf '[\n'
    for spec in "${NODES[@]}"; do
      read -r name ip user role sudo <<<"$spec"
      dir="$(node_dir "$name")"
      # "<type> <base64>": what ssh.ParseAuthorizedKey (pulumi-command) accepts
      hostkey="$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")"
      printf '%s %s\n' "$ip" "$hostkey" >>"$E2E_DIR/known_hosts"
      [[ "$first" -eq 1 ]] || printf ',\n'
      first=0
      printf '  {"name": %s, "host": %s, "port": 22, "user": %s, "role": %s, "sudo": %s, ' \
        "$(json_str "$name")" "$(json_str "$ip")" "$(json_str "$user")" "$(json_str "$role")" "$sudo"
      printf '"privateKeyPath": %s, "hostKey": %s, "root": %s, "state": %s}' \
        "$(json_str "$E2E_DIR/id_ed25519")" "$(json_str "$hostkey")" \
        "$(json_str "$dir/root")" "$(json_str "$dir/root/var/lib/k3s-standin")"
    done
    printf '\n]\n'
  } >"$E2E_DIR/nodes.json.tmp"
  mv "$E2E_DIR/nodes.json.tmp" "$E2E_DIR/nodes.json"
}

cmd_up() {
  local start spec name ip user role sudo
  start="$(date +%s.%N)"
  check_tools
  cmd_down
  ensure_user
  ensure_keys
  ensure_mountpoints
  setup_bridge
  for spec in "${NODES[@]}"; do
    read -r name ip user role sudo <<<"$spec"
    prepare_node "$name" "$ip" "$user" "$sudo"
    setup_node_net "$name" "$ip"
    start_node "$name"
  done
  for spec in "${NODES[@]}"; do
    read -r name _ <<<"$spec"
    wait_node "$name"
  done
  start_control_planes
  write_nodes_json
  log "up in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s: $E2E_DIR/nodes.json"
}

# ---------------------------------------------------------------- control plane

# k3s's default flags, from the one place the project keeps them.
k3s_defaults_json() {
  (cd "$REPO_ROOT" && node -r ts-node/register/transpile-only -e \
    'process.stdout.write(JSON.stringify(require("./components/k3s/facts").K3S_DEFAULT_ARGS))')
}

write_control_plane_settings() {
  local name="$1" ip="$2" defaults="$3" f
  f="$(node_dir "$name")/root/var/lib/k3s-standin/control-plane.json"
  printf '{"bin": %s, "nodeIp": %s, "yamlModule": %s, "defaults": %s}\n' \
    "$(json_str "$E2E_CONTROL_PLANE_BIN")" "$(json_str "$ip")" "$(json_str "$REPO_ROOT/node_modules/yaml")" "$defaults" >"$f.tmp"
  mv "$f.tmp" "$f"
}

# Runs a command inside a running node (its network, mount and UTS namespaces), as root.
in_node() {
  local name="$1" pid
  shift
  pid="$(head -n 1 "$(node_dir "$name")/sshd.pid")"
  nsenter -t "$pid" -n -m -u -- env PATH="/usr/local/sbin:$PATH" "$@"
}

# k3s "installed and running" before the first hardening: every server's control plane, in parallel.
start_control_planes() {
  local spec name ip role defaults pids=() names=() i rc=0
  [[ -n "${E2E_CONTROL_PLANE_BIN:-}" ]] || return 0
  [[ -x "$E2E_CONTROL_PLANE_BIN/kube-apiserver" && -x "$E2E_CONTROL_PLANE_BIN/etcd" ]] ||
    die "E2E_CONTROL_PLANE_BIN=$E2E_CONTROL_PLANE_BIN has no kube-apiserver/etcd; run scripts/build-control-plane.sh"
  command -v openssl >/dev/null || die "missing openssl; run $HARNESS_DIR/install-deps.sh"
  defaults="$(k3s_defaults_json)"
  for spec in "${NODES[@]}"; do
    read -r name ip _ role _ <<<"$spec"
    [[ "$role" == server ]] || continue
    write_control_plane_settings "$name" "$ip" "$defaults"
    in_node "$name" systemctl start k3s &
    pids+=("$!")
    names+=("$name")
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      log "the control plane of ${names[$i]} did not start; its journal:"
      tail -n 30 "$(node_dir "${names[$i]}")/root/var/lib/k3s-standin/journal.log" >&2 || true
      rc=1
    fi
  done
  [[ "$rc" -eq 0 ]] || die "control plane start failed"
}

# ---------------------------------------------------------------- status

cmd_status() {
  local spec name ip ns dir pid state rc=0
  for spec in "${NODES[@]}"; do
    read -r name ip _ <<<"$spec"
    ns="$(ns_name "$name")"
    dir="$(node_dir "$name")"
    state="down"
    if ip netns list 2>/dev/null | grep -qw -- "$ns"; then
      pid="$(head -n 1 "$dir/sshd.pid" 2>/dev/null || true)"
      if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        if timeout 2 bash -c "exec 3<>/dev/tcp/$ip/22" 2>/dev/null; then
          state="up (sshd pid $pid)"
        else
          state="sshd pid $pid running, port $ip:22 unreachable"
        fi
      else
        state="netns present, sshd not running"
      fi
    fi
    [[ "$state" == up* ]] || rc=1
    printf '%-5s %-12s %s\n' "$name" "$ip" "$state"
  done
  return "$rc"
}

# ---------------------------------------------------------------- one node

node_spec() {
  local spec n
  for spec in "${NODES[@]}"; do
    read -r n _ <<<"$spec"
    [[ "$n" == "$1" ]] && { printf '%s\n' "$spec"; return 0; }
  done
  die "unknown node $1"
}

# Stop a node's sshd: the machine is gone as far as SSH is concerned (its files stay).
cmd_stop() {
  local dir pid
  node_spec "$1" >/dev/null
  dir="$(node_dir "$1")"
  pid="$(head -n 1 "$dir/sshd.pid" 2>/dev/null || true)"
  if [[ -n "$pid" && -e "/proc/$pid" ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == sshd ]]; then kill_pid "$pid"; fi
  rm -f "$dir/sshd.pid"
}

# Start a node's sshd again in its network namespace (a fresh mount namespace over the same files).
cmd_start() {
  local name ip user role sudo
  read -r name ip user role sudo <<<"$(node_spec "$1")"
  cmd_stop "$name"
  prepare_node "$name" "$ip" "$user" "$sudo"
  start_node "$name"
  wait_node "$name"
  write_nodes_json
}

# A new host key for a node (as after a rebuild), sshd restarted with it; nodes.json shows the new key.
cmd_rekey() {
  node_spec "$1" >/dev/null
  rm -f "$(node_dir "$1")/ssh_host_ed25519_key" "$(node_dir "$1")/ssh_host_ed25519_key.pub"
  cmd_start "$1"
}

# Replace the authorized keys of every node with the given public key files.
cmd_authorize() {
  local tmp="$E2E_DIR/ssh/authorized_keys.tmp" f
  : >"$tmp"
  for f in "$@"; do cat "$f" >>"$tmp"; done
  chmod 0644 "$tmp"
  mv "$tmp" "$E2E_DIR/ssh/authorized_keys"
}

[[ $# -ge 1 ]] || usage
require_env
case "$1" in
  up) [[ $# -eq 1 ]] || usage; cmd_up ;;
  down) [[ $# -eq 1 ]] || usage; cmd_down ;;
  status) [[ $# -eq 1 ]] || usage; cmd_status ;;
  stop | start | rekey) [[ $# -eq 2 ]] || usage; "cmd_$1" "$2" ;;
  authorize) [[ $# -ge 2 ]] || usage; shift; cmd_authorize "$@" ;;
  *) usage ;;
esac
