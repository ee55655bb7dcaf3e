"""Workloads with RUN steps: every builder runs them on a busybox root made from Debian's
busybox-static and copied in by the Dockerfile itself (FROM scratch + COPY), so no builder
needs a base image from a registry.

    run-steps    50 small RUN steps after the root: the per-step cost of a sandbox
    cpu-stages   4 independent stages, each one single-threaded RUN of ~3 s of CPU, joined by a
                 final stage
"""
import os
import shutil
import subprocess

BUSYBOX = "/bin/busybox"
# Iterations of each cpu-stages stage's awk loop: about 3 s of one core here. One process
# per stage (a pipeline such as head | md5sum would use more than one core per stage).
CPU_STAGE_ITERATIONS = 15_000_000


def busybox_root(ctx):
    """ctx/rootfs: /bin/busybox and a link per applet, /etc/passwd and /etc/group, /tmp."""
    if not os.access(BUSYBOX, os.X_OK):
        raise RuntimeError("%s missing (apt-get install busybox-static)" % BUSYBOX)
    root = os.path.join(ctx, "rootfs")
    os.makedirs(os.path.join(root, "bin"), exist_ok=True)
    os.makedirs(os.path.join(root, "etc"), exist_ok=True)
    os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    shutil.copy2(BUSYBOX, os.path.join(root, "bin", "busybox"))
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True, check=True).stdout.split()
    for a in applets:
        link = os.path.join(root, "bin", a)
        if a != "busybox" and not os.path.lexists(link):
            os.symlink("busybox", link)
    with open(os.path.join(root, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    with open(os.path.join(root, "etc", "group"), "w") as f:
        f.write("root:x:0:\nnogroup:x:65534:\n")
    return len(applets) + 4


def run_steps(ctx):
    """FROM scratch, the busybox root, a settings file (the one-file change), 50 small RUNs."""
    files = busybox_root(ctx)
    lines = ["FROM scratch", "COPY rootfs/ /", "COPY config/settings.json /etc/settings.json"]
    lines += ["RUN echo step %d > /step%02d" % (i, i) for i in range(1, 51)]
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return files + 2, "FROM scratch + busybox root + 50 small RUN steps", os.path.join(ctx, "config", "settings.json")


def cpu_stages(ctx):
    """4 stages of one CPU-bound RUN each on a shared busybox stage, and a final stage that
    copies their results. The one-file change touches the file stage 2 reads."""
    files = busybox_root(ctx)
    lines = ["FROM scratch AS base", "COPY rootfs/ /", ""]
    for s in range(1, 5):
        lines += ["FROM base AS stage%d" % s,
                  "COPY config/stage%d.json /stage.json" % s,
                  "RUN awk 'BEGIN { for (i = 0; i < %d; i++) s += i %% 7; print s }' > /result%d"
                  % (CPU_STAGE_ITERATIONS + s, s), ""]
    lines += ["FROM base"] + ["COPY --from=stage%d /result%d /results/" % (s, s) for s in range(1, 5)]
    with open(os.path.join(ctx, "Dockerfile"), "w") as f:
        f.write("\n".join(lines) + "\n")
    for s in (1, 3, 4):
        path = os.path.join(ctx, "config", "stage%d.json" % s)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write('{"stage": %d}\n' % s)
    return files + 5, "4 independent stages of one ~3 s CPU RUN each + a final COPY --from each", \
        os.path.join(ctx, "config", "stage2.json")
