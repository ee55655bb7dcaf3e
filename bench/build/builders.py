"""The builders under test: kiln and its peers, each behind the same small interface.

    prepare()          start what the builder needs (a daemon); raises Unavailable with the reason
    reset()            empty every cache, so the next build is a cold one
    build(workload)    one timed build; returns Result (wall seconds, peak RSS or None, log path)
    close()            stop and unmount everything the builder started

Every builder keeps its whole state under its own directory of the bench work dir, so the
machine's stores (/var/lib/containers, /var/lib/docker, kiln's default root) are never touched.

reset() moves a builder's old state aside instead of deleting it, and close() deletes it. On
ext4 without a journal (these machines' root filesystem) the inode allocator passes over every
inode deleted in the last minute or so, so a cold build that starts right after its store's
20,000 files were deleted spent most of its time in the kernel looking for a free inode (seen
with perf: recently_deleted under ext4_create; kiln's cold big-context build went from 5 s to
12 s and 19 s over three runs, docker's from 28 s to 38 s).
"""
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass


class Unavailable(Exception):
    """The builder cannot run on this machine; the message says why."""


class BuildFailed(Exception):
    pass


@dataclass
class Result:
    seconds: float
    peak_rss_kb: int | None
    log: str


def unmount_under(path):
    """Lazily unmounts every mount point below `path`, deepest first."""
    out = subprocess.run(["findmnt", "-rn", "-o", "TARGET"], capture_output=True, text=True).stdout
    prefix = os.path.realpath(path) + "/"
    targets = [t for t in out.split("\n") if t.startswith(prefix)]
    for t in sorted(targets, key=len, reverse=True):
        subprocess.run(["umount", "-l", t], capture_output=True)


def _remove_tree(path):
    unmount_under(path)
    shutil.rmtree(path, ignore_errors=True)


class _Builder:
    name = ""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, self.name)
        self.trash = os.path.join(workdir, "trash-" + self.name)
        self.logs = os.path.join(workdir, "logs")
        self.count = 0
        self.discarded = 0
        os.makedirs(self.logs, exist_ok=True)

    def prepare(self):
        pass

    def _discard(self, path):
        """Moves `path` into this builder's trash, deleted by close() (see the module's doc)."""
        if not os.path.lexists(path):
            return
        unmount_under(path)
        os.makedirs(self.trash, exist_ok=True)
        self.discarded += 1
        os.rename(path, os.path.join(self.trash, "%03d" % self.discarded))

    def close(self, keep=False):
        if keep:
            unmount_under(self.dir)
        else:
            _remove_tree(self.dir)
        _remove_tree(self.trash)

    def _run_timed(self, argv, workload, env=None):
        self.count += 1
        log = os.path.join(self.logs, "%s-%s-%03d.log" % (self.name, workload.name, self.count))
        with open(log, "wb") as f:
            start = time.monotonic()
            proc = subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT, env=env,
                                  cwd=workload.context)
            seconds = time.monotonic() - start
        if proc.returncode != 0:
            with open(log, errors="replace") as f:
                tail = f.read()[-1500:]
            raise BuildFailed("%s exited with %d (log %s):\n%s" % (argv[0], proc.returncode, log, tail))
        return Result(seconds, None, log)


class Kiln(_Builder):
    name = "kiln"

    def __init__(self, workdir, binary):
        super().__init__(workdir)
        self.binary = binary
        self.root = None

    def prepare(self):
        if not os.access(self.binary, os.X_OK):
            raise Unavailable("no kiln binary at %s" % self.binary)

    def reset(self):
        self._discard(self.dir)
        self.root = os.path.join(self.dir, "root")
        os.makedirs(self.root)

    def build(self, workload):
        rss = os.path.join(self.dir, "rss")
        env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "KILN_ROOT")}
        argv = ["/usr/bin/time", "-f", "%M", "-o", rss, self.binary, "build", "--root", self.root,
                "--progress=plain", "-t", "bench-" + workload.name, "-f", workload.dockerfile,
                workload.context]
        result = self._run_timed(argv, workload, env)
        with open(rss) as f:
            result.peak_rss_kb = int(f.read().split()[-1])
        return result


class Buildah(_Builder):
    name = "buildah"
    binary = "/usr/bin/buildah"

    def _global(self):
        return [self.binary, "--root", os.path.join(self.dir, "root"),
                "--runroot", os.path.join(self.dir, "runroot"), "--storage-driver", "overlay"]

    def prepare(self):
        if not os.access(self.binary, os.X_OK):
            raise Unavailable("%s is not installed" % self.binary)
        probe = subprocess.run(self._global() + ["images"], capture_output=True, text=True)
        if probe.returncode != 0:
            raise Unavailable("buildah cannot open a store: " + probe.stderr.strip()[-300:])

    def reset(self):
        if os.path.isdir(self.dir):
            subprocess.run(self._global() + ["rm", "--all"], capture_output=True)
        self._discard(self.dir)
        os.makedirs(self.dir)

    def build(self, workload):
        # No --network: buildah refuses any network mode but host with chroot isolation, and
        # with no RUN nothing of the build runs a process that could use one.
        argv = self._global() + ["build", "--layers", "--isolation", "chroot",
                                 "-t", "bench-" + workload.name, "-f", workload.dockerfile,
                                 workload.context]
        return self._run_timed(argv, workload)


class Docker(_Builder):
    """docker build with BuildKit, against a dockerd of our own (its own socket, data and exec
    roots, no networking) that prepare() starts and close() stops."""
    name = "docker"
    dockerd = "/usr/sbin/dockerd"
    # dockerd creates these outside its roots whatever its flags; removed again when we made them.
    _host_paths = ["/run/docker/plugins", "/run/docker", "/etc/docker/key.json"]
    client = "/usr/bin/docker"

    def __init__(self, workdir):
        super().__init__(workdir)
        self.socket = os.path.join(self.dir, "docker.sock")
        self.daemon = None
        self.preexisting = {}

    def _env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("DOCKER_") and k != "BUILDKIT_PROGRESS"}
        env["DOCKER_BUILDKIT"] = "1"
        env["DOCKER_CONFIG"] = os.path.join(self.dir, "client")
        return env

    def _docker(self, *args):
        return [self.client, "-H", "unix://" + self.socket] + list(args)

    def prepare(self):
        for b in (self.dockerd, self.client):
            if not os.access(b, os.X_OK):
                raise Unavailable("%s is not installed" % b)
        os.makedirs(os.path.join(self.dir, "client"), exist_ok=True)
        self.preexisting = {p: os.path.lexists(p) for p in self._host_paths}
        self._start_daemon()

    def _start_daemon(self):
        config = os.path.join(self.dir, "daemon.json")
        with open(config, "w") as f:
            json.dump({"iptables": False, "bridge": "none", "storage-driver": "overlay2"}, f)
        log = open(os.path.join(self.logs, "dockerd.log"), "ab")
        self.daemon = subprocess.Popen(
            [self.dockerd, "--config-file", config, "--data-root", os.path.join(self.dir, "data"),
             "--exec-root", os.path.join(self.dir, "exec"), "--pidfile", os.path.join(self.dir, "dockerd.pid"),
             "-H", "unix://" + self.socket],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.daemon.poll() is not None:
                raise Unavailable("dockerd exited with %d (see %s)" % (self.daemon.returncode, log.name))
            ping = subprocess.run(self._docker("version", "--format", "{{.Server.Version}}"),
                                  capture_output=True, env=self._env())
            if ping.returncode == 0:
                return
            time.sleep(0.5)
        raise Unavailable("dockerd did not answer on %s within 60 s (see %s)" % (self.socket, log.name))

    def reset(self):
        # A new daemon on empty roots rather than `docker builder prune`, which deletes the
        # store's files just before the next cold build (see the module's doc).
        self._stop_daemon()
        for d in ("data", "exec"):
            self._discard(os.path.join(self.dir, d))
        try:
            self._start_daemon()
        except Unavailable as e:
            raise BuildFailed("restarting dockerd for a cold build: %s" % e)

    def build(self, workload):
        argv = self._docker("build", "--progress=plain", "--network", "none",
                            "-t", "bench-" + workload.name, "-f", workload.dockerfile, workload.context)
        return self._run_timed(argv, workload, self._env())

    def _stop_daemon(self):
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.terminate()
            try:
                self.daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        self._stop_orphaned_containerd()

    def close(self, keep=False):
        self._stop_daemon()
        for path, existed in self.preexisting.items():
            if not existed and os.path.lexists(path):
                try:
                    os.rmdir(path) if os.path.isdir(path) else os.remove(path)
                except OSError:
                    pass  # not empty: something else uses it now
        super().close(keep)

    def _stop_orphaned_containerd(self):
        """dockerd stops the containerd it started; if dockerd had to be killed, stop that
        containerd here — found by its state directory under our exec root, never by name."""
        pidfile = os.path.join(self.dir, "exec", "containerd", "containerd.pid")
        try:
            with open(pidfile) as f:
                pid = int(f.read().strip())
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                if self.dir.encode() not in f.read():
                    return
            os.kill(pid, 15)
        except (OSError, ValueError):
            pass
