"""The benchmark's table: medians per workload, figure and builder, and kiln against the targets.

A ratio is kiln's median divided by the fastest peer's median on the same figure, so 0.25×
means kiln took a quarter of the best peer's time; the target is met when the ratio is at or
below it. Peak RSS is kiln's only: the peers' work happens in daemons (dockerd) or in processes
whose RSS includes unrelated state, so their numbers would not compare like with like.
"""
import statistics

TARGETS = {"cold": 0.3, "noop": 0.1, "change": 0.3}
LABELS = {"cold": "cold", "noop": "no-op rebuild", "change": "one-file change"}
RSS_TARGET_MB = 150


def _median(results, attr):
    values = [getattr(r, attr) for r in results if getattr(r, attr) is not None]
    return statistics.median(values) if values else None


def _seconds(v):
    return "-" if v is None else ("%.3fs" % v if v < 1 else "%.2fs" % v)


def print_rows(head, rows):
    """Columns aligned (figures right-aligned, names and verdicts left); a first column repeated
    from the row above is left blank."""
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).rjust(widths[i]) if 1 < i < len(head) - 1 else str(c).ljust(widths[i])
                               for i, c in enumerate(r)).rstrip()
    print(line(head))
    print(line(["-" * w for w in widths]))
    prev = None
    for r in rows:
        print(line([r[0] if r[0] != prev else ""] + r[1:]))
        prev = r[0]


def print_table(workloads, tools, results, unavailable, failures, runs):
    peers = [t for t in tools if t != "kiln"]
    head = ["workload", "figure"] + tools + ["kiln/fastest peer", "target", "verdict"]
    rows, misses = [], 0
    for w in workloads:
        for fig in ("cold", "noop", "change"):
            med = {t: _median(results[(w.name, t)][fig], "seconds") if (w.name, t) in results else None
                   for t in tools}
            row = [w.name, LABELS[fig]] + [_seconds(med[t]) for t in tools]
            measured = {p: med[p] for p in peers if med[p] is not None}
            if med.get("kiln") is not None and measured:
                fastest = min(measured, key=measured.get)
                ratio = med["kiln"] / measured[fastest]
                ok = ratio <= TARGETS[fig]
                misses += not ok
                row += ["%.2fx (%s)" % (ratio, fastest), "<= %.1fx" % TARGETS[fig], "met" if ok else "MISSED"]
            else:
                row += ["-", "<= %.1fx" % TARGETS[fig], "not compared"]
            rows.append(row)
        if (w.name, "kiln") in results:
            all_runs = [r for rs in results[(w.name, "kiln")].values() for r in rs]
            peak = max(r.peak_rss_kb for r in all_runs) / 1024
            ok = peak <= RSS_TARGET_MB
            misses += not ok
            rows.append([w.name, "kiln peak RSS"] + ["%.0f MB" % peak if t == "kiln" else "n/a" for t in tools]
                        + ["-", "<= %d MB" % RSS_TARGET_MB, "met" if ok else "MISSED"])
    print("Medians of %d run%s (wall time of the client command; kiln's RSS via /usr/bin/time -f %%M,"
          " the peak over all its builds of the workload):" % (runs, "" if runs == 1 else "s"))
    print_rows(head, rows)
    for t, why in unavailable.items():
        print("%s not measured: %s" % (t, why))
    for (w, t), why in failures.items():
        print("%s failed on %s: %s" % (t, w, why.splitlines()[0]))
    print("peak RSS is reported for kiln only: the peers build inside daemons or helper processes,"
          " so their RSS does not compare.")
    print("%d target%s missed" % (misses, "" if misses == 1 else "s"))
