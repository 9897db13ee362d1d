#!/usr/bin/env bash
# Installs every Debian package the project builds, tests and demos with.
# Idempotent; run as root (or through sudo). Skips apt when nothing is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  postgresql-15 postgresql-client-15 postgresql-server-dev-15 postgresql-contrib libpq-dev
  libicu-dev libgtest-dev googletest
  librdkafka-dev kcat nlohmann-json3-dev libcxxopts-dev libcpp-httplib-dev libsystemd-dev
  openjdk-17-jre-headless maven
  clang-14 libclang-rt-14-dev llvm-14
  curl procps iproute2 python3
  # bench/: /usr/bin/time for peak memory, perf and valgrind for profiles
  time linux-perf valgrind
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian's postgresql-common creates a system cluster on install; the project never uses it.
$SUDO mkdir -p /etc/postgresql-common
[ -f /etc/postgresql-common/createcluster.conf ] || echo 'create_main_cluster = false' | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
