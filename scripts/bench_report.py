#!/usr/bin/env python3
"""Renders lease_suite's JSON into the results section of docs/benchmarks.md
(between the RESULTS markers) and a gnuplot data file."""
import json
import sys

res = json.load(open(sys.argv[1]))
doc_path, dat_path = sys.argv[2], sys.argv[3]


def ms(s):
    return f"{s['median_ms']:.2f} / {s['p99_ms']:.2f}"


def verdict(ok):
    return "met" if ok else "**missed**"


cold, warm, base, floor = res["daemon_cold"], res["daemon_warm"], res["baseline"], res["floor"]
ns = res["baseline_netns_exec_overhead"]
base_adj = base["median_ms"] - ns["median_ms"]
speedup = base_adj / cold["median_ms"]
vs_floor = cold["median_ms"] / floor["median_ms"]
burst, refresh, rss = res["burst"], res["refresh"], res["rss"]
rss_mb = rss["vm_rss_kb"] / 1024
rows = [
    ("Lease, cold (daemon, median / p99 ms)", ms(cold), "", ""),
    ("Lease, warm (daemon, median / p99 ms)", ms(warm), "≤ 2 ms", verdict(warm["median_ms"] <= 2)),
]
if "daemon_warm_krbdir_on_disk" in res:
    rows.append(("Lease, warm, ticket caches on the state disk instead of a tmpfs (median / p99 ms)",
                 ms(res["daemon_warm_krbdir_on_disk"]), "reported", ""))
fallbacks = base.get("keytab_fallbacks", 0)
rows += [
    ("Baseline: the peer's separate processes, kinit given the password (median / p99 ms)",
     ms(base), f"netns-exec overhead {ns['median_ms']:.2f} ms subtracted below"
     + (f"; {fallbacks} samples used a keytab (password not pipeable)" if fallbacks else ""), ""),
]
if "baseline_keytab" in res:
    bk = res["baseline_keytab"]
    rows.append(("Baseline variant: kinit -k from a keytab our keys module wrote (median / p99 ms)",
                 ms(bk), f"{(bk['median_ms'] - ns['median_ms']) / cold['median_ms']:.1f}× the cold lease",
                 "reported"))
rows += [
    ("Floor: bare KDC + LDAP round trips (median / p99 ms)", ms(floor), "", ""),
    ("Cold lease speed-up over the baseline", f"{speedup:.1f}×", "≥ 20×", verdict(speedup >= 20)),
    ("Cold lease vs the floor", f"{vs_floor:.2f}×", "≤ 3×", verdict(vs_floor <= 3)),
    (f"Burst: {burst['requests']} AddKerberosLease, 10 gMSAs, {burst['clients']} clients",
     f"{burst['total_s']:.2f} s, {burst['errors']} errors", "≤ 3 s, 0 errors",
     verdict(burst["total_s"] <= 3 and burst["errors"] == 0)),
    ("Burst: DC work (password reads / AS issued / TGS issued)",
     f"{burst['dc']['password_requests']} / {burst['dc']['as_issued']} / {burst['dc']['tgs_issued']}",
     "", ""),
    ("Burst: per-request latency (median / p99 ms)", ms(burst["latency"]), "", ""),
    (f"Load: {res['load']['clients']} concurrent clients, HealthCheck + AddKerberosLease each",
     f"{res['load']['errors']} errors in {res['load']['total_s']:.2f} s", "0 errors",
     verdict(res["load"]["errors"] == 0)),
    ("Load: HealthCheck / AddKerberosLease p99 (ms)",
     f"{res['load']['health']['p99_ms']:.1f} / {res['load']['add']['p99_ms']:.1f}", "reported", ""),
]
if "load_connected" in res:
    lc = res["load_connected"]
    rows += [
        (f"Load, connections made beforehand: {lc['clients']} clients, same calls",
         f"{lc['errors']} errors in {lc['total_s']:.2f} s", "0 errors", verdict(lc["errors"] == 0)),
        ("Load, connections made beforehand: HealthCheck / AddKerberosLease median / p99 (ms)",
         f"{lc['health']['median_ms']:.1f} / {lc['health']['p99_ms']:.1f}, "
         f"{lc['add']['median_ms']:.1f} / {lc['add']['p99_ms']:.1f}", "reported", ""),
    ]
rows += [
    (f"Refresh cycle over {refresh['leases']} leases (CPU s / wall s)",
     f"{refresh['cpu_s']:.3f} / {refresh['wall_s']:.3f}", "≤ 1 s CPU", verdict(refresh["cpu_s"] <= 1)),
    ("Refresh cycle: KDC exchanges (AS issued / TGS) and password reads",
     f"{refresh['dc']['as_issued']} / {refresh['dc']['tgs_issued']} / {refresh['dc']['password_requests']}",
     "", ""),
    (f"gmsa-brokerd RSS holding {res['leases']} leases (VmRSS / VmHWM MB)",
     f"{rss_mb:.1f} / {rss['vm_hwm_kb'] / 1024:.1f}", "≤ 50 MB", verdict(rss_mb <= 50)),
    ("gmsa-brokerd restart: restore + listen", f"{rss['restore_and_listen_s']:.2f} s", "", ""),
]
table = ["| measure | result | target | |", "|---|---|---|---|"]
table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
section = "\n".join(table) + ("\n\n(quick smoke run: counts are small)\n" if res.get("quick") else "\n")

doc = open(doc_path).read()
start, end = "<!-- RESULTS START -->", "<!-- RESULTS END -->"
a, b = doc.index(start) + len(start), doc.index(end)
open(doc_path, "w").write(doc[:a] + "\n" + section + doc[b:])

with open(dat_path, "w") as f:
    f.write("# name median p99\n")
    f.write(f"baseline {base['median_ms']} {base['p99_ms']}\n")
    f.write(f"daemon-cold {cold['median_ms']} {cold['p99_ms']}\n")
    f.write(f"floor {floor['median_ms']} {floor['p99_ms']}\n")
    f.write(f"daemon-warm {warm['median_ms']} {warm['p99_ms']}\n")
