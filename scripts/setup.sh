#!/usr/bin/env bash
# Install what Slipway's tests and local runs need: Debian packages for the real local
# services (Redis, Docker engine, registry, static busybox, git, htpasswd), then npm packages.
# Safe to run repeatedly: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# dockerd and friends live in sbin, which a non-root PATH may lack
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

say() { printf 'setup: %s\n' "$*"; }

missing=()
need_cmd() { # need_cmd COMMAND PACKAGE
  if command -v "$1" >/dev/null 2>&1; then
    say "ok       $1"
  else
    say "missing  $1 (Debian package $2)"
    missing+=("$2")
  fi
}

need_cmd redis-server redis-server
need_cmd redis-sentinel redis-sentinel # the Sentinel failover test (test/faults/sentinel-failover.test.ts)
need_cmd dockerd docker.io
need_cmd containerd containerd
need_cmd runc runc
need_cmd docker-registry docker-registry
need_cmd git git
need_cmd htpasswd apache2-utils
need_cmd tar tar
need_cmd chromium chromium # the dashboard's tests in a real headless browser (test/support/browser.ts)

# The base image needs a statically linked busybox at /bin/busybox (Debian's busybox-static);
# the dynamic one from the "busybox" package cannot run inside an empty image.
if command -v dpkg-query >/dev/null 2>&1; then
  if dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed'; then
    say "ok       /bin/busybox (busybox-static)"
  else
    say "missing  /bin/busybox (Debian package busybox-static)"
    missing+=(busybox-static)
  fi
elif [ -x /bin/busybox ]; then
  say "ok       /bin/busybox"
else
  say "missing  /bin/busybox (Debian package busybox-static)"
  missing+=(busybox-static)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  # de-duplicate, keep order
  pkgs=()
  for p in "${missing[@]}"; do
    case " ${pkgs[*]-} " in *" $p "*) ;; *) pkgs+=("$p") ;; esac
  done
  if [ "$(id -u)" -eq 0 ]; then
    say "installing: ${pkgs[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}"
  else
    say "not root; run this, then run setup again:"
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${pkgs[*]}"
    exit 1
  fi
else
  say "all system packages present"
fi

# npm packages: skip when node_modules was installed after the last change to the lock file
if [ ! -f package-lock.json ]; then
  say "no package-lock.json: npm install"
  npm install --no-audit --no-fund
elif [ -f node_modules/.package-lock.json ] &&
  [ node_modules/.package-lock.json -nt package-lock.json ] &&
  [ node_modules/.package-lock.json -nt package.json ]; then
  say "node_modules up to date with package-lock.json"
else
  say "npm ci"
  npm ci --no-audit --no-fund
fi
say "done"
