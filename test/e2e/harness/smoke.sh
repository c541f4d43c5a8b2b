#!/usr/bin/env bash
# Smoke test for the e2e node harness: up, SSH to every node, check stand-ins,
# per-node filesystems and isolation, down. Run as root:
#   test/e2e/harness/smoke.sh            (uses a fresh temp E2E_DIR)
set -euo pipefail

HARNESS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NODES_SH="$HARNESS_DIR/nodes.sh"

own_dir=0
if [[ -z "${E2E_DIR:-}" ]]; then
  E2E_DIR="$(mktemp -d /tmp/k3sh-smoke.XXXXXX)"
  own_dir=1
fi
export E2E_DIR

passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS  %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }
check() { # check <description> <command...>
  local desc="$1"
  shift
  if "$@"; then pass "$desc"; else fail "$desc"; fi
}

cleanup() {
  "$NODES_SH" down >/dev/null 2>&1 || true
  if [[ "$own_dir" -eq 1 ]]; then rm -rf "$E2E_DIR"; fi
}
trap cleanup EXIT

snapshot_host_sysctl_d() {
  (cd /etc/sysctl.d && find . -printf '%p %y %m %s %l\n' | sort && find . -type f -exec md5sum {} + | sort)
}
host_sysctl_before="$(snapshot_host_sysctl_d)"
host_had_rancher_probe=0
[[ -e /etc/rancher/probe ]] && host_had_rancher_probe=1

# ---- up
t0="$(date +%s%N)"
"$NODES_SH" up
t1="$(date +%s%N)"
up_ms=$(((t1 - t0) / 1000000))
check "nodes.sh up finished in ${up_ms} ms (< 20000)" test "$up_ms" -lt 20000
check "nodes.json written" test -s "$E2E_DIR/nodes.json"
"$NODES_SH" status

KEY="$E2E_DIR/id_ed25519"
KNOWN="$E2E_DIR/known_hosts"
SSH_OPTS=(-i "$KEY" -o "UserKnownHostsFile=$KNOWN" -o StrictHostKeyChecking=yes
  -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR)

# node table: name host user sudo
NODES=(
  "cp-1 10.231.0.11 root false"
  "cp-2 10.231.0.12 k3sdeploy true"
  "wk-1 10.231.0.13 root false"
)

# on_node <name> <script>: run script as root on the node (sudo -n for sudo nodes)
# shellcheck disable=SC2029 # client-side expansion is intended
on_node() {
  local want="$1" script="$2" spec name host user sudo quoted
  for spec in "${NODES[@]}"; do
    read -r name host user sudo <<<"$spec"
    [[ "$name" == "$want" ]] || continue
    if [[ "$sudo" == true ]]; then
      printf -v quoted '%q' "$script"
      ssh "${SSH_OPTS[@]}" "$user@$host" "sudo -n bash -c $quoted"
    else
      ssh "${SSH_OPTS[@]}" "$user@$host" "$script"
    fi
    return
  done
  echo "unknown node $want" >&2
  return 1
}

# hostKey in nodes.json must equal the key the node actually presents
for spec in "${NODES[@]}"; do
  read -r name host user sudo <<<"$spec"
  json_key="$(grep -o "\"name\": \"$name\"[^}]*" "$E2E_DIR/nodes.json" | sed -E 's/.*"hostKey": "([^"]*)".*/\1/')"
  check "$name: nodes.json hostKey is '<type> <base64>' and matches known_hosts" \
    grep -qxF "$host $json_key" "$KNOWN"
done

# ---- the brief's probe on every node
for spec in "${NODES[@]}"; do
  read -r name host user sudo <<<"$spec"
  out="$(on_node "$name" 'echo hi > /etc/rancher/probe && systemctl restart k3s && cat /var/lib/k3s-standin/restarts.log' 2>&1)" || true
  printf '      %s (%s@%s, sudo=%s): %s\n' "$name" "$user" "$host" "$sudo" "${out//$'\n'/ | }"
  check "$name: probe written, restart logged" test "$out" = "k3s"
  check "$name: probe landed in the node's own dir" \
    test "$(cat "$E2E_DIR/nodes/$name/root/etc/rancher/probe" 2>/dev/null)" = "hi"
  check "$name: restarts.log in the node's own state dir" \
    test "$(cat "$E2E_DIR/nodes/$name/root/var/lib/k3s-standin/restarts.log" 2>/dev/null)" = "k3s"
  resolved="$(on_node "$name" 'command -v systemctl k3s journalctl sysctl curl | tr "\n" " "; hostname' 2>&1)" || true
  check "$name: stand-ins first on PATH as root ($resolved)" test "$resolved" = \
    "/usr/local/sbin/systemctl /usr/local/sbin/k3s /usr/local/sbin/journalctl /usr/local/sbin/sysctl /usr/local/sbin/curl $name"
done

# ---- isolation
on_node cp-1 'echo cp-1-only > /etc/rancher/isolation-probe'
check "cp-1 write visible on cp-1" test "$(on_node cp-1 'cat /etc/rancher/isolation-probe')" = cp-1-only
check "cp-1 write invisible on cp-2" on_node cp-2 'test ! -e /etc/rancher/isolation-probe'
check "cp-1 write invisible on wk-1" on_node wk-1 'test ! -e /etc/rancher/isolation-probe'
check "cp-1 write invisible on the host" test ! -e /etc/rancher/isolation-probe
if [[ "$host_had_rancher_probe" -eq 0 ]]; then
  check "node probes invisible on the host" test ! -e /etc/rancher/probe
fi

on_node wk-1 'printf "vm.panic_on_oom = 0\nkernel.panic = 10\n" > /etc/sysctl.d/90-kubelet-cis.conf && sysctl --system >/dev/null'
check "wk-1 sysctl --system used its own sysctl.d" test "$(on_node wk-1 'sysctl -n kernel.panic')" = 10
check "cp-1 sysctl state untouched by wk-1" test "$(on_node cp-1 'sysctl -n kernel.panic')" = 0
check "cp-2 /etc/sysctl.d is the node's own (empty) dir" test -z "$(on_node cp-2 'ls -A /etc/sysctl.d')"
check "host /etc/sysctl.d untouched" test "$(snapshot_host_sysctl_d)" = "$host_sysctl_before"

# ---- sudo / login policy
check "k3sdeploy needs sudo -n on cp-2 and has it" test "$(on_node cp-2 'id -un')" = root
# expect_fail <description> <stderr regex> <command...>: command must fail with that message
expect_fail() {
  local desc="$1" re="$2" err
  shift 2
  if err="$("$@" 2>&1 >/dev/null)"; then
    fail "$desc (command succeeded)"
  elif [[ "$err" =~ $re ]]; then
    pass "$desc"
  else
    fail "$desc (unexpected error: $err)"
  fi
}
expect_fail "k3sdeploy has no sudo rule on the host" "password is required" \
  sudo -n -u k3sdeploy sudo -n true
expect_fail "root cannot log in to cp-2 (AllowUsers k3sdeploy)" "Permission denied \\(publickey\\)" \
  ssh "${SSH_OPTS[@]}" root@10.231.0.12 true
expect_fail "k3sdeploy cannot log in to cp-1 (AllowUsers root)" "Permission denied \\(publickey\\)" \
  ssh "${SSH_OPTS[@]}" k3sdeploy@10.231.0.11 true
expect_fail "password/keyboard-interactive auth not offered" "Permission denied \\(publickey\\)" \
  ssh -o "UserKnownHostsFile=$KNOWN" -o StrictHostKeyChecking=yes -o BatchMode=yes \
  -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive root@10.231.0.11 true
expect_fail "wrong host key is rejected (StrictHostKeyChecking=yes)" "Host key verification failed" \
  ssh "${SSH_OPTS[@]}" -o HostKeyAlias=10.231.0.13 root@10.231.0.11 true

# ---- health simulation through SSH
check "cp-1 readyz ok" test "$(on_node cp-1 'k3s kubectl get --raw=/readyz')" = ok
touch "$E2E_DIR/nodes/wk-1/root/var/lib/k3s-standin/fail-health"
expect_fail "wk-1 kubelet healthz fails when fail-health is set from the host" "curl: \\(7\\) Failed to connect" \
  on_node wk-1 'curl -fsS http://127.0.0.1:10248/healthz'
check "wk-1 journal shows the fatal line" bash -c \
  "ssh ${SSH_OPTS[*]} root@10.231.0.13 'journalctl -u k3s -n 1 -o cat' | grep -q 'level=fatal'"

# ---- down
"$NODES_SH" down
check "down removed the namespaces" bash -c '! ip netns list | grep -q "^k3sh-"'
check "down removed the bridge and veths" bash -c '! ip -o link show | grep -q "k3sh-"'
check "status reports nodes down" bash -c "! '$NODES_SH' status >/dev/null"
check "down is idempotent" "$NODES_SH" down

echo
echo "smoke: $passed passed, $failed failed; up took ${up_ms} ms"
[[ "$failed" -eq 0 ]]
