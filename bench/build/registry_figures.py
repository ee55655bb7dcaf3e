"""The registry figures: pushing and pulling through a local registry, kiln against its peers.

    registry     an image of one 300 MB layer (30 MB with --quick), FROM scratch + COPY of a
                 generated context:
                   build + push   empty store, empty registry: the build and the push (gzip)
                   re-push        the same image pushed again, unchanged: the blobs the
                                  registry received are counted from its access log
                   pull           kiln's pushed image pulled into an empty store, against
                                  `skopeo copy docker://REF oci:DIR`
    cache-from   kiln only: a cold build of cpu-stages on an empty store, against a build on
                 another empty store importing the cache (`--cache-from type=registry,ref=R`)
                 that a third build exported (`--cache-to type=registry,ref=R,mode=max`);
                 skipped while `kiln build --help` does not list --cache-from

The registry is Debian's docker-registry (distribution 2.8), started on a free loopback port
with a storage directory of the work dir, over plain HTTP; it is emptied (stopped, storage
removed, started again) before every build + push, so every push goes to an empty registry.
"""
import os
import random
import shutil
import socket
import statistics
import subprocess
import time
import urllib.request

import builders
import report
import run_workloads
import workloads

NAMES = ["registry", "cache-from"]
TARGETS = {"push": 0.5, "repush": 0.5, "pull": 0.8, "cache_from": 0.3}
SKOPEO = "/usr/bin/skopeo"
REGISTRY = "/usr/bin/docker-registry"
_SEED = 20261128


class Registry:
    """A docker-registry of the benchmark's own: plain HTTP on 127.0.0.1:PORT, storage under
    `dir`, its access log (one line per request) in `log`."""

    def __init__(self, workdir, logs):
        self.dir = os.path.join(workdir, "registry")
        self.log = os.path.join(logs, "registry.log")
        self.port = _free_port()
        self.host = "127.0.0.1:%d" % self.port
        self.proc = None

    def ref(self, repo):
        return "%s/%s" % (self.host, repo)

    def start(self):
        if not os.access(REGISTRY, os.X_OK):
            raise builders.Unavailable("%s is not installed (apt-get install docker-registry)" % REGISTRY)
        os.makedirs(os.path.join(self.dir, "storage"), exist_ok=True)
        config = os.path.join(self.dir, "config.yml")
        with open(config, "w") as f:
            f.write("version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: false\n"
                    "storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"
                    "http:\n  addr: %s\n" % (os.path.join(self.dir, "storage"), self.host))
        log = open(self.log, "ab")
        self.proc = subprocess.Popen([REGISTRY, "serve", config], stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise builders.Unavailable("docker-registry exited with %d (see %s)" % (self.proc.returncode, self.log))
            try:
                with urllib.request.urlopen("http://%s/v2/" % self.host, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise builders.Unavailable("docker-registry did not answer on %s within 30 s" % self.host)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def empty(self):
        """Stops the registry, removes its storage and starts it again on the same port."""
        self.stop()
        shutil.rmtree(os.path.join(self.dir, "storage"), ignore_errors=True)
        self.start()

    def log_size(self):
        return os.path.getsize(self.log) if os.path.exists(self.log) else 0

    def uploads_since(self, offset):
        """Blob uploads the registry received after `offset` of its log: the upload sessions
        started (POST …/blobs/uploads/) that were not cross-repository mounts."""
        with open(self.log, "rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
        return sum(1 for line in text.splitlines()
                   if '"POST /v2/' in line and "/blobs/uploads/" in line and "mount=" not in line)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def image_workload(base, quick):
    """The pushed image's context: `FROM scratch` + `COPY data/ /data/`, one layer of 300 MB (30 MB
    with --quick) in 3,000 (300) files cut from the same text-like and random pools as the
    build workloads (70 % / 30 % of the files)."""
    rng = random.Random(_SEED)
    content = workloads._Content(rng)
    ctx = os.path.join(base, "registry-image")
    count, total = (300, 30 << 20) if quick else (3_000, 300 << 20)
    written = workloads._fill_tree(ctx, rng, content, count, total, "data")
    workloads._write(os.path.join(ctx, "Dockerfile"), b"FROM scratch\nCOPY data/ /data/\n")
    return workloads.Workload("registry-image", "%d files, %d MB; FROM scratch + COPY data/ /data/" % (
        count, written >> 20), ctx, os.path.join(ctx, "Dockerfile"), os.path.join(ctx, "data", "unused"),
        count + 1, written)


def _kiln_env(workdir):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SOURCE_DATE_EPOCH", "KILN_ROOT", "REGISTRY_AUTH_FILE", "KILN_INSECURE_REGISTRIES")}
    env["DOCKER_CONFIG"] = os.path.join(workdir, "registry-client")  # no credentials: anonymous
    os.makedirs(env["DOCKER_CONFIG"], exist_ok=True)
    return env


def _push_run(b, w, ref, workdir, registry):
    """One build + push, then one re-push, for builder `b`: {"build": s, "push": s, "total": s,
    "repush": s, "repush_uploads": blobs the registry received during the re-push}. kiln
    builds and pushes in one command, so its "build" is the whole and its "push" 0."""
    if b.name == "kiln":
        env = _kiln_env(workdir)
        build = [b.binary, "build", "--root", b.root, "--progress=plain", "--push", "-t", ref,
                 "-f", w.dockerfile, w.context]
        push = [b.binary, "push", "--root", b.root, ref]
    elif b.name == "buildah":
        env = None
        build = b._global() + ["build", "--layers", "--isolation", "chroot", "-t", ref, "-f", w.dockerfile, w.context]
        push = b._global() + ["push", "--tls-verify=false", ref, "docker://" + ref]
    elif b.name == "docker":
        env = b._env()
        build = b._docker("build", "--progress=plain", "--network", "none", "-t", ref, "-f", w.dockerfile, w.context)
        # dockerd treats 127.0.0.0/8 registries as insecure (plain HTTP) without configuration.
        push = b._docker("push", ref)
    else:
        raise ValueError(b.name)
    out = {"build": b._run_timed(build, w, env).seconds, "push": 0.0}
    if b.name != "kiln":
        out["push"] = b._run_timed(push, w, env).seconds
    out["total"] = out["build"] + out["push"]
    time.sleep(0.3)  # the registry writes a request's access log line after its response
    mark = registry.log_size()
    repush = b._run_timed(push, w, env)
    out["repush"] = repush.seconds
    time.sleep(0.3)
    out["repush_uploads"] = registry.uploads_since(mark)
    if b.name == "kiln":
        with open(repush.log, errors="replace") as f:
            out["repush_pushed_lines"] = f.read().count("Pushed")
    return out


def _pull_run(kiln, w, ref, workdir):
    """kiln pull into an empty root, then skopeo copy into an empty OCI layout: seconds each."""
    out = {}
    root = os.path.join(workdir, "registry-pull", "kiln-root")
    builders._remove_tree(os.path.dirname(root))
    os.makedirs(root)
    out["kiln"] = kiln._run_timed([kiln.binary, "pull", "--root", root, ref], w, _kiln_env(workdir)).seconds
    builders._remove_tree(root)
    if os.access(SKOPEO, os.X_OK):
        dest = os.path.join(workdir, "registry-pull", "skopeo-oci")
        start = time.monotonic()
        proc = subprocess.run([SKOPEO, "--insecure-policy", "copy", "--src-tls-verify=false",
                               "docker://" + ref, "oci:" + dest], capture_output=True, text=True)
        if proc.returncode != 0:
            raise builders.BuildFailed("skopeo copy failed: " + proc.stderr[-1000:])
        out["skopeo"] = time.monotonic() - start
    builders._remove_tree(os.path.join(workdir, "registry-pull"))
    return out


def measure(tools, unavailable, workdir, quick, runs, names):
    """The registry figures for the builders in `tools` (prepared, not in `unavailable`) and
    the figures named in `names` (of NAMES). Returns a dict for the report and the JSON."""
    logs = os.path.join(workdir, "logs")
    result = {"runs": runs, "push": {}, "pull": {}, "failures": {}, "unavailable": {}}
    registry = Registry(workdir, logs)
    try:
        try:
            registry.start()
        except builders.Unavailable as e:
            result["unavailable"]["registry"] = str(e)
            print("registry figures not measured: %s" % e, flush=True)
            return result
        result["registry"] = registry.host
        if "registry" in names:
            w = image_workload(os.path.join(workdir, "workloads"), quick)
            result["image"] = w.description
            print("\nregistry figures (%d runs): %s, registry %s" % (runs, w.description, registry.host), flush=True)
            for b in tools:
                if b.name in unavailable:
                    continue
                ref = registry.ref("bench/big-%s:latest" % b.name)
                runs_of = result["push"][b.name] = []
                try:
                    for i in range(runs):
                        b.reset()
                        registry.empty()
                        r = _push_run(b, w, ref, workdir, registry)
                        runs_of.append(r)
                        print("  %-8s run %d/%d: build %.2fs + push %.2fs = %.2fs  re-push %.2fs" % (
                            b.name, i + 1, runs, r["build"], r["push"], r["total"], r["repush"]), flush=True)
                        if b.name == "kiln":
                            result["pull"].setdefault("runs", []).append(_pull_run(b, w, ref, workdir))
                            p = result["pull"]["runs"][-1]
                            print("  pull     run %d/%d: kiln %.2fs  skopeo %s" % (
                                i + 1, runs, p["kiln"], "%.2fs" % p["skopeo"] if "skopeo" in p else "-"), flush=True)
                except builders.BuildFailed as e:
                    result["failures"][b.name] = str(e)
                    print("  %s failed on the registry figures, continuing without it:\n%s" % (b.name, e), flush=True)
                finally:
                    try:
                        b.reset()
                    except builders.BuildFailed:
                        pass
        if "cache-from" in names:
            kiln = next((b for b in tools if b.name == "kiln" and b.name not in unavailable), None)
            result["cache_from"] = cache_from_figure(kiln, workdir, registry, runs) if kiln else \
                {"skipped": "kiln not measured"}
        return result
    finally:
        registry.stop()


def kiln_has_cache_from(kiln_binary):
    out = subprocess.run([kiln_binary, "build", "--help"], capture_output=True, text=True)
    return "--cache-from" in out.stdout + out.stderr


def cache_from_figure(kiln, workdir, registry, runs):
    """HOOK (cache-from): the cold build of cpu-stages on an empty store against a build on an
    empty store that imports the registry cache a previous build exported. Written for
    BuildKit's syntax (`--cache-to type=registry,ref=R,mode=max`, `--cache-from
    type=registry,ref=R`); reports itself skipped while kiln's build has no --cache-from."""
    if not kiln_has_cache_from(kiln.binary):
        print("\ncache-from figure: skipped: kiln has no --cache-from", flush=True)
        return {"skipped": "kiln has no --cache-from"}
    ctx = os.path.join(workdir, "workloads", "cache-from")
    os.makedirs(ctx, exist_ok=True)
    files, description, change_file = run_workloads.cpu_stages(ctx)
    w = workloads.Workload("cache-from", description, ctx, os.path.join(ctx, "Dockerfile"), change_file, files, 0)
    w.reset_change_file()
    cache = "type=registry,ref=%s" % registry.ref("bench/cache:buildcache")
    env = _kiln_env(workdir)
    print("\ncache-from figure (kiln, %d runs): %s" % (runs, description), flush=True)
    cold, cached = [], []
    try:
        for i in range(runs):
            registry.empty()
            kiln.reset()
            cold.append(kiln._run_timed([kiln.binary, "build", "--root", kiln.root, "--progress=plain",
                                         "-t", "bench-cache-from", "-f", w.dockerfile, ctx], w, env).seconds)
            kiln.reset()  # the exporting build, not timed
            kiln._run_timed([kiln.binary, "build", "--root", kiln.root, "--progress=plain",
                             "--cache-to", cache + ",mode=max", "-t", "bench-cache-from",
                             "-f", w.dockerfile, ctx], w, env)
            kiln.reset()
            cached.append(kiln._run_timed([kiln.binary, "build", "--root", kiln.root, "--progress=plain",
                                           "--cache-from", cache, "-t", "bench-cache-from",
                                           "-f", w.dockerfile, ctx], w, env).seconds)
            print("  kiln     run %d/%d: cold %.2fs  --cache-from %.2fs" % (i + 1, runs, cold[-1], cached[-1]),
                  flush=True)
    except builders.BuildFailed as e:
        print("  cache-from figure failed:\n%s" % e, flush=True)
        return {"failed": str(e), "cold": cold, "cached": cached}
    finally:
        kiln.reset()
    return {"cold": cold, "cached": cached}


def _seconds(v):
    return "-" if v is None else ("%.3fs" % v if v < 1 else "%.2fs" % v)


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def print_table(result, tool_names):
    """The registry rows, in the build table's layout: medians per builder, kiln over the
    fastest peer, the target and the verdict."""
    if "registry" not in result:
        return 0
    cols = tool_names + ["skopeo"]
    head = ["workload", "figure"] + cols + ["kiln/fastest peer", "target", "verdict"]
    rows, misses = [], 0

    def add(figure, med, target):
        nonlocal misses
        row = ["registry", figure] + [_seconds(med.get(t)) for t in cols]
        peers = {t: v for t, v in med.items() if t != "kiln" and v is not None}
        if med.get("kiln") is not None and peers:
            fastest = min(peers, key=peers.get)
            ratio = med["kiln"] / peers[fastest]
            ok = ratio <= target
            misses += not ok
            row += ["%.2fx (%s)" % (ratio, fastest), "<= %.1fx" % target, "met" if ok else "MISSED"]
        else:
            row += ["-", "<= %.1fx" % target, "not compared"]
        rows.append(row)

    push = result["push"]
    if push:
        add("build + push", {t: _median([r["total"] for r in rs]) for t, rs in push.items() if rs}, TARGETS["push"])
        add("re-push", {t: _median([r["repush"] for r in rs]) for t, rs in push.items() if rs}, TARGETS["repush"])
        ups = {t: max(r["repush_uploads"] for r in rs) for t, rs in push.items() if rs}
        if ups:
            ok = ups.get("kiln") == 0
            misses += "kiln" in ups and not ok
            rows.append(["registry", "re-push blobs sent"] + [str(ups[t]) if t in ups else "-" for t in cols]
                        + ["-", "0 (kiln)", ("met" if ok else "MISSED") if "kiln" in ups else "not measured"])
    pulls = result["pull"].get("runs", [])
    if pulls:
        add("pull", {"kiln": _median([p.get("kiln") for p in pulls]),
                     "skopeo": _median([p.get("skopeo") for p in pulls])}, TARGETS["pull"])
    cf = result.get("cache_from")
    if cf is not None:
        if cf.get("cold") and cf.get("cached") and "failed" not in cf:
            cold, cached = _median(cf["cold"]), _median(cf["cached"])
            ratio = cached / cold
            ok = ratio <= TARGETS["cache_from"]
            misses += not ok
            rows.append(["cache-from", "--cache-from build"] + [_seconds(cached) if t == "kiln" else "-" for t in cols]
                        + ["%.2fx (kiln cold %s)" % (ratio, _seconds(cold)), "<= %.1fx" % TARGETS["cache_from"],
                           "met" if ok else "MISSED"])
        else:
            why = "failed: " + cf["failed"].splitlines()[0] if cf.get("failed") else cf.get("skipped", "not measured")
            rows.append(["cache-from", "--cache-from build"] + ["-" for _ in cols]
                        + ["-", "<= %.1fx" % TARGETS["cache_from"], why])
    print("\nRegistry figures, medians of %d run%s (wall time of the client commands; a peer's build + push is"
          " its build plus its push; pull is against skopeo):" % (result["runs"], "" if result["runs"] == 1 else "s"))
    report.print_rows(head, rows)
    for t, why in result["unavailable"].items():
        print("%s not measured: %s" % (t, why))
    for t, why in result["failures"].items():
        print("%s failed on the registry figures: %s" % (t, why.splitlines()[0]))
    if push.get("kiln"):
        print("re-push blobs sent: the most blob uploads (POST /v2/…/blobs/uploads/) the registry logged during"
              " one re-push; kiln's own output said \"Pushed\" %d time(s)" % max(r["repush_pushed_lines"] for r in push["kiln"]))
    print("%d registry target%s missed" % (misses, "" if misses == 1 else "s"))
    return misses
