#!/usr/bin/env bash
# Installs the Debian packages in tools/packages.txt that are not installed yet. Idempotent; quick when nothing is
# missing. Needs root (or sudo) only when something must be installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t wanted < <(grep -vE '^\s*(#|$)' "$here/packages.txt")
missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Debian's nodejs comes without npm (NodeSource's bundles it): the browser tests need npm, so add Debian's only then.
if ! command -v npm >/dev/null 2>&1 && ! printf '%s\n' "${missing[@]}" | grep -qx npm; then
  missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${#missing[@]} missing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian's prometheus and prometheus-alertmanager packages enable services listening on every interface (:9090,
# :9093). The interop tests start their own copies on loopback ports; stop and disable the packaged ones.
for unit in prometheus prometheus-alertmanager; do
  if printf '%s\n' "${missing[@]}" | grep -qx "$unit" && command -v systemctl >/dev/null 2>&1; then
    $sudo systemctl disable --now "$unit" >/dev/null 2>&1 || true
  fi
done
# Debian's postgresql package creates a cluster and starts it on port 5432. The tests start their own server on a
# free loopback port (tools/pg_test_server.sh); stop the packaged cluster and keep it from starting at boot.
if printf '%s\n' "${missing[@]}" | grep -qx postgresql; then
  if command -v systemctl >/dev/null 2>&1; then
    $sudo systemctl disable --now postgresql >/dev/null 2>&1 || true
  fi
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h 2>/dev/null | while read -r version cluster _; do
      $sudo pg_ctlcluster "$version" "$cluster" stop >/dev/null 2>&1 || true
      # "manual": pg_ctlcluster and the init scripts leave it alone unless asked.
      if [ -f "/etc/postgresql/$version/$cluster/start.conf" ]; then
        echo manual | $sudo tee "/etc/postgresql/$version/$cluster/start.conf" >/dev/null
      fi
    done
  fi
fi
