#!/usr/bin/env python3
"""Runs a command the way systemd runs a Type=notify unit with WatchdogSec, for machines where
systemd is not PID 1 (containers, CI).

    watchdog_harness.py --unit systemd/profile-publisher.service --events FILE --pid-file FILE -- COMMAND...

It reads WatchdogSec and TimeoutStopSec from the unit, gives the command NOTIFY_SOCKET (a datagram
socket of its own) and WATCHDOG_USEC, and records every notification with its time in FILE. Like
systemd's service manager: the watchdog starts with the process; every WATCHDOG=1 restarts it; if
WatchdogSec passes without one, it sends the watchdog signal (SIGABRT, systemd's default) followed by
SIGCONT, so that a stopped process receives it too, then SIGKILL after TimeoutStopSec (systemd's
TimeoutAbortSec defaults to it). Restart= is not imitated: the harness exits with the command.
SIGTERM to the harness is passed on to the command. Events file lines: "SECONDS MESSAGE".
"""
import argparse
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time


def unit_seconds(unit_text, name):
    m = re.search(r"^\s*" + name + r"\s*=\s*(\S+)\s*$", unit_text, re.M)
    if not m:
        return None
    value = m.group(1)
    total = 0.0
    for number, suffix in re.findall(r"(\d+(?:\.\d+)?)\s*(ms|s|min|h)?", value):
        scale = {"ms": 0.001, "": 1, "s": 1, "min": 60, "h": 3600}[suffix]
        total += float(number) * scale
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--unit", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--pid-file", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")

    text = open(args.unit).read()
    watchdog = unit_seconds(text, "WatchdogSec")
    if not watchdog:
        sys.exit(f"{args.unit}: no WatchdogSec")
    abort_timeout = unit_seconds(text, "TimeoutStopSec") or 90.0

    tmp = tempfile.mkdtemp(prefix="notify.")
    path = os.path.join(tmp, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC=str(int(watchdog * 1_000_000)))
    env.pop("WATCHDOG_PID", None)

    events = open(args.events, "a", buffering=1)
    t0 = time.monotonic()

    def record(message):
        events.write(f"{time.monotonic() - t0:.3f} {message}\n")

    child = subprocess.Popen(command, env=env)
    with open(args.pid_file, "w") as f:
        f.write(f"{child.pid}\n")
    record(f"started pid={child.pid} WatchdogSec={watchdog:g} TimeoutAbortSec={abort_timeout:g}")
    signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))

    deadline = time.monotonic() + watchdog
    kill_at = None
    while child.poll() is None:
        now = time.monotonic()
        if kill_at is None and now >= deadline:
            record("watchdog timeout: SIGABRT, SIGCONT")
            child.send_signal(signal.SIGABRT)
            child.send_signal(signal.SIGCONT)
            kill_at = now + abort_timeout
        if kill_at is not None and now >= kill_at:
            record("abort timeout: SIGKILL")
            child.kill()
            kill_at = float("inf")
        wake = min(deadline if kill_at is None else kill_at, now + 0.2)
        ready, _, _ = select.select([sock], [], [], max(0.0, wake - now))
        if ready:
            for line in sock.recv(4096).decode(errors="replace").splitlines():
                if line.startswith("WATCHDOG=1"):
                    deadline = time.monotonic() + watchdog
                record(line)
    status = child.returncode
    record(f"exited status={status}")
    sock.close()
    os.unlink(path)
    os.rmdir(tmp)
    sys.exit(128 - status if status < 0 else status)


if __name__ == "__main__":
    main()
