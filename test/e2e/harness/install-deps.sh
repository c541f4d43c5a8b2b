#!/usr/bin/env bash
# Install what test/e2e/harness/nodes.sh needs (Debian 12, run as root).
# Does nothing when every command is already present.
set -euo pipefail

# command -> Debian package
declare -A need=(
  [/usr/sbin/sshd]=openssh-server
  [ssh]=openssh-client
  [ssh-keygen]=openssh-client
  [ip]=iproute2
  [sudo]=sudo
  [unshare]=util-linux
  [mount]=mount
  [curl]=curl
  [useradd]=passwd
  [nsenter]=util-linux
  [openssl]=openssl
)

missing=()
for cmd in "${!need[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    missing+=("${need[$cmd]}")
  fi
done

if [[ "${#missing[@]}" -eq 0 ]]; then
  echo "install-deps: all harness dependencies present"
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-deps: must run as root to install: ${missing[*]}" >&2
  exit 1
fi

mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "install-deps: installing ${pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${pkgs[@]}"
