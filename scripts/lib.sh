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

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Builds and installs the extension into the PostgreSQL 15 found by pg_config.
install_extension() {
  make -s -j"$(nproc)" >/dev/null && as_root make -s install >/dev/null
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
