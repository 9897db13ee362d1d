#!/usr/bin/env python3
"""Turns bench/run.sh's raw results (TSV) into the markdown summary: medians over rounds,
every figure also as a ratio to the baseline measured in the same run.

Two ratios per comparison: throughput (tps) and server CPU per transaction. On a shared
machine the second is the steadier one: others' load moves tps, much less the CPU a
transaction costs."""
import statistics
import sys
from collections import defaultdict

path, mode, rounds, duration, machine = sys.argv[1:6]
tps = defaultdict(list)
cpu = defaultdict(list)
by_round = {}  # (section, scenario, clients, variant, round) -> tps, for ratios within a round
text = {}
order = []
with open(path) as f:
    next(f)
    for line in f:
        parts = line.rstrip("\n").split("\t")
        section, scenario, clients, variant, _round, value = parts[:6]
        cpu_us = parts[6] if len(parts) > 6 else ""
        key = (section, scenario, int(clients))
        if key not in order:
            order.append(key)
        k = key + (variant,)
        try:
            tps[k].append(float(value))
            by_round[k + (_round,)] = float(value)
        except ValueError:
            text[k] = value
        if cpu_us:
            cpu[k].append(float(cpu_us))


def med(store, *k):
    v = store.get(k)
    return statistics.median(v) if v else None


def fmt(x, digits=0):
    if x is None:
        return "-"
    return f"{x:,.{digits}f}"


def round_ratio(key, a, b):
    """The median over rounds of variant a / variant b measured in the same round: each round's
    pair ran back to back, so a load from others that lasts a round hits both sides of it."""
    v = [by_round[key + (a, r)] / by_round[key + (b, r)]
         for (*k, var, r) in by_round if tuple(k) == key and var == a
         if by_round.get(key + (b, r))]
    return f"{statistics.median(v):.2f}x" if v else "-"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}x"


print(f"# Benchmark results ({mode}: {rounds} round(s) x {duration} s, median of rounds)\n")
print(f"Machine: {machine}\n")

if ("setup", "populate", 1) in order:
    print(f"Populate 200,000 users + 20,000 contacts through the triggers: "
          f"{fmt(med(tps, 'setup', 'populate', 1, 'seconds'), 1)} s "
          f"({fmt(med(tps, 'setup', 'populate', 1, 'rows_per_s'))} events/s)\n")

write = [k for k in order if k[0] == "write"]
if write:
    print("## Write path (pgbench -M prepared; tps, and server CPU per transaction in µs)\n")
    print("Throughput ratios (higher is better for the extension): ext/floor, ext/twin. "
          "CPU ratios (lower is better): CPU ext/floor, CPU ext/twin.\n")
    print("ext/floor per round: the median of the rounds' own ratios (each round's pair ran back to back).\n")
    print("| scenario | clients | extension | no SET search_path | PL/pgSQL twin | raw floor "
          "| ext/floor | ext/floor per round | ext/twin | CPU µs ext / twin / floor | CPU ext/floor | CPU ext/twin | CPU of SET search_path |")
    print("| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |")
    for _, scen, c in write:
        e, n, t, r = (med(tps, "write", scen, c, v) for v in ("ext", "noset", "twin", "raw"))
        ce, cn, ct, cr = (med(cpu, "write", scen, c, v) for v in ("ext", "noset", "twin", "raw"))
        guc = "-" if ce is None or cn is None else f"{ce - cn:+.0f} µs"
        print(f"| {scen} | {c} | {fmt(e)} | {fmt(n)} | {fmt(t)} | {fmt(r)} | {ratio(e, r)} "
              f"| {round_ratio(('write', scen, c), 'ext', 'raw')} | {ratio(e, t)} "
              f"| {fmt(ce)} / {fmt(ct)} / {fmt(cr)} | {ratio(ce, cr)} | {ratio(ce, ct)} | {guc} |")
    print()

read = [k for k in order if k[0] == "read"]
if read:
    print("## Read path (pgbench -M prepared; tps, and server CPU per call in µs)\n")
    print("| scenario | clients | extension | no SET search_path | plain SELECT | ext/plain | ext/plain per round "
          "| CPU µs ext / noset / plain | CPU plain/ext |")
    print("| --- | --: | --: | --: | --: | --: | --: | --: | --: |")
    for _, scen, c in read:
        e, n, p = (med(tps, "read", scen, c, v) for v in ("ext", "noset", "plain"))
        ce, cn, cp = (med(cpu, "read", scen, c, v) for v in ("ext", "noset", "plain"))
        print(f"| {scen} | {c} | {fmt(e)} | {fmt(n)} | {fmt(p)} | {ratio(e, p)} "
              f"| {round_ratio(('read', scen, c), 'ext', 'plain')} "
              f"| {fmt(ce)} / {fmt(cn)} / {fmt(cp)} | {ratio(cp, ce)} |")
    print()

if any(k[0] == "expiry" for k in order):
    print("## Expiry: 100,000 users idle at once (run_expiry() in one call, or the worker's batches)\n")
    print("| how | users away per s | seconds | update_profile tps at 8 clients meanwhile | alone "
          "| during / alone | per round | CPU µs per update_profile meanwhile / alone |")
    print("| --- | --: | --: | --: | --: | --: | --: | --: |")
    alone = med(tps, "expiry", "update_profile_during", 8, "none")
    calone = med(cpu, "expiry", "update_profile_during", 8, "none")
    for how in ("call", "worker"):
        d = med(tps, "expiry", "update_profile_during", 8, how)
        print(f"| {'run_expiry()' if how == 'call' else 'background worker'} "
              f"| {fmt(med(tps, 'expiry', 'events_per_s', 0, how))} | {fmt(med(tps, 'expiry', 'seconds', 0, how), 1)} "
              f"| {fmt(d)} | {fmt(alone)} | {ratio(d, alone)} "
              f"| {round_ratio(('expiry', 'update_profile_during', 8), how, 'none')} "
              f"| {fmt(med(cpu, 'expiry', 'update_profile_during', 8, how))} / {fmt(calone)} |")
    print()

search = [k for k in order if k[0] == "search"]
if search:
    print("## search_profiles latency (ms, pgbench --log, median of rounds)\n")
    print("| workload | clients | p50 | p99 |")
    print("| --- | --: | --: | --: |")
    for _, scen, c in search:
        print(f"| {scen.replace('search_', '')} | {c} | {fmt(med(tps, 'search', scen, c, 'p50_ms'), 2)} "
              f"| {fmt(med(tps, 'search', scen, c, 'p99_ms'), 2)} |")
    print()

if any(k[0] == "notify" for k in order):
    print("## NOTIFY (update_profile, 32 clients)\n")
    print("| library | extension tps | raw floor tps | raw + pg_notify tps | raw+notify / raw |")
    print("| --- | --: | --: | --: | --: |")
    for label in ("preloaded", "not_preloaded"):
        e, r, rn = (med(tps, "notify", "update_profile", 32, f"{v}_{label}") for v in ("ext", "raw", "raw_notify"))
        print(f"| {label.replace('_', ' ')} | {fmt(e)} | {fmt(r)} | {fmt(rn)} | {ratio(rn, r)} |")
    e_on = med(tps, "notify", "update_profile", 32, "ext_preloaded")
    e_off = med(tps, "notify", "update_profile", 32, "ext_not_preloaded")
    print(f"\nExtension not preloaded (NOTIFY in every transaction) / preloaded (NOTIFY only on request): "
          f"{ratio(e_off, e_on)}\n")

def pv(scenario, variant):
    k = ("publisher", scenario, 0, variant)
    if k in tps:
        return med(tps, *k)
    return None


if ("publisher", "status", 0) in order:
    print("## Publisher\n")
    print(f"Not measured: profile-publisher {text.get(('publisher', 'status', 0, 'build_failed'), 'did not build')}.\n"
          if ("publisher", "status", 0, "build_failed") in text or ("publisher", "status", 0, "missing") in text
          else "")
if ("publisher", "drain", 0) in order:
    print("## Publisher drain (a backlog of outbox rows)\n")
    print("| path | events/s | vs publisher | peak RSS MiB | CPU µs per event: client / PostgreSQL / Kafka |")
    print("| --- | --: | --: | --: | --: |")
    pub = pv("drain", "publisher_full_events_per_s")
    rows_ = [
        ("profile-publisher --once", "publisher_full"),
        ("profile-publisher --once, a tenth of the backlog", "publisher_small"),
        ("kcat, same messages from a file (Kafka's limit)", "kcat"),
        ("read-and-mark loop, no Kafka (the database's limit)", "db_loop"),
    ]
    for label, key in rows_:
        rate = pv("drain", f"{key}_events_per_s")
        rss = pv("drain", f"{key}_peak_rss_mib")
        cpu_ = "/".join(fmt(pv("drain", f"{key}_cpu_us_per_event_{w}"), 1) for w in ("client", "postgres", "kafka"))
        print(f"| {label} | {fmt(rate)} | {ratio(rate, pub) if key != 'publisher_full' else '1.00x'} "
              f"| {fmt(rss, 1)} | {cpu_.replace('/', ' / ')} |")
    print(f"\nPublisher / kcat: {ratio(pub, pv('drain', 'kcat_events_per_s'))}; "
          f"publisher / read-and-mark loop: {ratio(pub, pv('drain', 'db_loop_events_per_s'))}\n")
lat = [k for k in order if k[0] == "publisher" and k[1].startswith("latency_") and k[1] != "latency_notify"]
if lat:
    print("## End-to-end latency, commit to consumer (ms)\n")
    print("occurred_at (set in the writing transaction) to the consumer's receive time; split at the Kafka "
          "message timestamp (set by the publisher's producer, 1 ms resolution).\n")
    print("The last two columns describe the machine during the run: its CPU use (both cores), and how "
          "late a thread that sleeps 1 ms wakes up (`bench_tool wakeup-probe`), the delay each hop of "
          "the pipeline can pay.\n")
    print("| load | writer tps | events/s at consumer | p50 | p99 | p99.9 | max | DB+publisher p50 / p99 "
          "| Kafka+consumer p50 / p99 | machine CPU busy | 1 ms sleep wakes late p50 / p99 / p99.9 |")
    print("| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |")

    def late(scen, prefix):
        return " / ".join(fmt(pv(scen, f"{prefix}late_{p}_ms"), 2) for p in ("p50", "p99", "p999"))

    for _, scen, _c in lat:
        g = lambda f: pv(scen, f)
        print(f"| {scen[len('latency_'):].replace('_', ' ')} | {fmt(g('writer_tps'))} | {fmt(g('rate'))} "
              f"| {fmt(g('p50_ms'), 1)} | {fmt(g('p99_ms'), 1)} | {fmt(g('p999_ms'), 1)} | {fmt(g('max_ms'), 1)} "
              f"| {fmt(g('to_kafka_p50_ms'), 1)} / {fmt(g('to_kafka_p99_ms'), 1)} "
              f"| {fmt(g('from_kafka_p50_ms'), 1)} / {fmt(g('from_kafka_p99_ms'), 1)} "
              f"| {fmt(g('machine_cpu_busy_pct'))}% | {late(scen, 'wakeup_')} |")
    if ("publisher", "wakeup_idle", 0) in order:
        print(f"\nWith everything up and no load, a 1 ms sleep wakes late p50 / p99 / p99.9: "
              f"{late('wakeup_idle', '')} ms.")
    n = pv("latency_notify", "notifies_sent")
    print(f"\nNOTIFYs sent during the latency runs (wake-ups on request): {fmt(n)}\n")
