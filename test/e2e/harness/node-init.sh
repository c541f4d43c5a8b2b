#!/usr/bin/env bash
# Runs inside a node's private network + mount + UTS namespaces (started by
# nodes.sh through `ip netns exec ... unshare --mount --propagation private --uts`).
# Bind-mounts the node's own directories over the k3s paths, then execs sshd.
#
#   node-init.sh <name> <node dir> <stand-ins bin dir> <sshd path>
set -euo pipefail

name="$1"
dir="$2"
standins="$3"
sshd="$4"

mounts=(/etc/rancher /var/lib/rancher /etc/sysctl.d /var/log/kubernetes /var/lib/k3s-standin)

# Refuse to touch the host's mount table: we must be in a fresh mount namespace.
if [[ "$(readlink /proc/self/ns/mnt)" == "$(readlink /proc/1/ns/mnt)" ]]; then
  echo "node-init: not in a private mount namespace, refusing to bind-mount" >&2
  exit 1
fi

for m in "${mounts[@]}"; do
  mount --bind "$dir/root$m" "$m"
done
# stand-ins first on PATH for root (sshd's root PATH) and under sudo (secure_path)
mount --bind "$standins" /usr/local/sbin
mount --bind "$dir/hosts" /etc/hosts
if [[ -d "$dir/sudoers.d" ]]; then
  mount --bind "$dir/sudoers.d" /etc/sudoers.d
fi

printf '%s\n' "$name" >/proc/sys/kernel/hostname

exec "$sshd" -f "$dir/sshd_config" -E "$dir/sshd.log"
