"""kiln's own figures for RUN, from its JSON progress (step_started/step_finished times):

    per-step overhead   median duration of the 50 `RUN echo` steps of run-steps, cold: the
                        whole cost of a sandbox (snapshot, mounts, namespaces, process, commit)
                        around a command that does nothing
    stage parallelism   cpu-stages: each stage built alone (--target stageN, cold) gives the
                        duration of its RUN; the full build runs the 4 at once; the figure is
                        the span from the first stage RUN's start to the last one's end over
                        the sum of the stages alone (target <= 0.55 on 2 cores)
"""
import json
import os
import shutil
import statistics
import subprocess


def _build_json(kiln, root, workload, extra=()):
    argv = [kiln, "build", "--root", root, "--progress=json", "-f", workload.dockerfile,
            *extra, workload.context]
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("kiln failed (%d): %s" % (proc.returncode, proc.stderr[-1500:]))
    events = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    spans = {}
    for e in events:
        if e.get("kind") == "step_started":
            spans.setdefault(e["step"], {"name": e.get("name", "")})["start"] = e["time"]
        elif e.get("kind") in ("step_finished", "step_failed"):
            spans.setdefault(e["step"], {"name": e.get("name", "")})["end"] = e["time"]
    return [s for s in spans.values() if "start" in s and "end" in s]


def _fresh_root(workdir):
    root = os.path.join(workdir, "kiln-figures-root")
    subprocess.run(["umount", "-R", "-l", root], capture_output=True)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    return root


def per_step_overhead(kiln, workdir, workload, runs):
    """Median seconds per `RUN echo` step over `runs` cold builds of run-steps."""
    durations = []
    for _ in range(runs):
        root = _fresh_root(workdir)
        spans = _build_json(kiln, root, workload)
        durations += [s["end"] - s["start"] for s in spans if "RUN echo step" in s["name"]]
    shutil.rmtree(os.path.join(workdir, "kiln-figures-root"), ignore_errors=True)
    return {"median_s": statistics.median(durations), "steps": len(durations),
            "p90_s": sorted(durations)[int(len(durations) * 0.9) - 1]}


def stage_parallelism(kiln, workdir, workload, runs):
    """(span of the 4 stage RUNs built together) / (sum of each stage's RUN built alone)."""
    ratios, sums, spans_all = [], [], []
    for _ in range(runs):
        alone = 0.0
        for s in range(1, 5):
            root = _fresh_root(workdir)
            spans = _build_json(kiln, root, workload, ["--target", "stage%d" % s])
            alone += sum(x["end"] - x["start"] for x in spans if "RUN awk" in x["name"])
        root = _fresh_root(workdir)
        runs_together = [x for x in _build_json(kiln, root, workload) if "RUN awk" in x["name"]]
        span = max(x["end"] for x in runs_together) - min(x["start"] for x in runs_together)
        ratios.append(span / alone)
        sums.append(alone)
        spans_all.append(span)
    shutil.rmtree(os.path.join(workdir, "kiln-figures-root"), ignore_errors=True)
    return {"ratio": statistics.median(ratios), "sum_alone_s": statistics.median(sums),
            "together_s": statistics.median(spans_all)}


def print_figures(figures):
    if "per_step" in figures:
        f = figures["per_step"]
        verdict = "met" if f["median_s"] <= 0.030 else "MISSED"
        print("RUN per-step overhead (kiln, %d steps): median %.1f ms, p90 %.1f ms  (target <= 30 ms: %s)" % (
            f["steps"], f["median_s"] * 1000, f["p90_s"] * 1000, verdict))
    if "stages" in figures:
        f = figures["stages"]
        verdict = "met" if f["ratio"] <= 0.55 else "MISSED"
        print("4 CPU stages at once (kiln): %.2fs for stages that take %.2fs one by one: %.2f x  (target <= 0.55: %s)" % (
            f["together_s"], f["sum_alone_s"], f["ratio"], verdict))


def _text_file(path, size, seed):
    """`size` bytes of source-like text (compresses about 3:1), quickly, from a fixed seed."""
    import random
    rng = random.Random(seed)
    words = ["".join(rng.choice("etaoinshrdlucmfwypvbgkqjxz_") for _ in range(rng.randint(2, 9)))
             for _ in range(5000)]
    block = "\n".join(" ".join(rng.choice(words) for _ in range(rng.randint(3, 12)))
                      for _ in range(40000)).encode()
    with open(path, "wb") as f:
        written = 0
        while written < size:
            chunk = block[: size - written]
            f.write(chunk)
            written += len(chunk)
            block = block[len(block) // 3:] + block[: len(block) // 3]  # not one repeated period


def layer_from_run(kiln, workdir, compress_bench, megabytes=300):
    """A RUN that writes `megabytes` MB; making its layer (tar of the overlay upper dir, gzip,
    diffID and blob digest, the blob stored durably in the content store: what a push or an
    OCI export then reuses) against kiln's compressor alone on the same bytes."""
    import time
    ctx = os.path.join(workdir, "big-run")
    os.makedirs(os.path.join(ctx, "data"), exist_ok=True)
    from run_workloads import busybox_root
    busybox_root(ctx)
    size = megabytes * 1_000_000
    data = os.path.join(ctx, "data", "payload.txt")
    if not os.path.exists(data) or os.path.getsize(data) != size:
        _text_file(data, size, 20261128)
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write("FROM scratch\nCOPY rootfs/ /\n"
                "RUN --mount=type=bind,source=data,target=/d cat /d/payload.txt > /big\n")
    root = _fresh_root(workdir)
    start = time.monotonic()
    argv = [kiln, "build", "--root", root, "--progress=json", "-o", "type=image,name=big-run,compression=gzip", ctx]
    proc = subprocess.run(argv, capture_output=True, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError("kiln failed: " + proc.stderr[-1500:])
    ends = [json.loads(l)["time"] for l in proc.stderr.splitlines()
            if l.startswith("{") and '"step_finished"' in l]
    layer_seconds = wall - max(ends)
    own = None
    if compress_bench:
        bench = subprocess.run([compress_bench, data], capture_output=True, text=True).stdout
        cores = os.cpu_count()
        for line in bench.splitlines():
            if line.startswith("kiln gzip level") and (", %d thread" % cores) in line and "(default)" in line:
                own = float(line.split("MB/s")[0].split()[-1])
    shutil.rmtree(os.path.join(workdir, "kiln-figures-root"), ignore_errors=True)
    layer_mbps = size / 1e6 / layer_seconds
    return {"bytes": size, "layer_s": layer_seconds, "layer_mbps": layer_mbps, "compressor_mbps": own,
            "ratio": layer_mbps / own if own else None}


def print_layer_figure(f):
    if f["ratio"] is None:
        print("layer from a %d MB RUN: %.1f MB/s (compressor bench unavailable)" % (f["bytes"] / 1e6, f["layer_mbps"]))
        return
    verdict = "met" if f["ratio"] >= 0.8 else "MISSED"
    print("layer from a %d MB RUN (tar of the upper dir + gzip): %.1f MB/s; the compressor alone %.1f MB/s: "
          "%.2f x  (target >= 0.8: %s)" % (f["bytes"] / 1e6, f["layer_mbps"], f["compressor_mbps"], f["ratio"], verdict))
