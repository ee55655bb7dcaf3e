"""Generates the build benchmark's workloads: a context directory and its Dockerfile each.

Everything is derived from a fixed seed, so two runs build the same bytes. Each workload names
one small file whose content the "one-file change" figure rewrites.
"""
import os
import random

import run_workloads
from dataclasses import dataclass

_SEED = 20261127
_POOL_BYTES = 8 << 20


@dataclass
class Workload:
    name: str
    description: str
    context: str          # directory sent to the builder
    dockerfile: str       # path of the Dockerfile (inside the context)
    change_file: str      # small file rewritten for the one-file change figure
    files: int
    bytes: int

    def reset_change_file(self):
        _write(self.change_file, b'{"setting": "initial"}\n')

    def change(self, counter):
        _write(self.change_file, b'{"setting": "changed %d"}\n' % counter)


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


class _Content:
    """Byte pools that file contents are cut from: text-like (compresses ~3:1) and random.

    A context of source files, documents and binaries: 70% of the files are text, 30% binary."""

    def __init__(self, rng):
        syllables = ["ka", "lo", "ri", "mun", "te", "sa", "vor", "ne", "dil", "po", "chu", "ex"]
        words = ["".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(3000)]
        parts, size = [], 0
        while size < _POOL_BYTES:
            line = " ".join(rng.choice(words) for _ in range(rng.randint(3, 14)))
            line = "    " * rng.randint(0, 3) + line + ";\n"
            parts.append(line)
            size += len(line)
        self.text = "".join(parts).encode()[:_POOL_BYTES]
        self.binary = rng.randbytes(_POOL_BYTES)

    def cut(self, rng, size):
        pool = self.text if rng.random() < 0.7 else self.binary
        start = rng.randrange(0, len(pool) - size + 1)
        return pool[start:start + size]


def _file_sizes(rng, count, total):
    """Log-normal sizes (median ~4 KB, a long tail up to 8 MB) scaled to sum to `total`."""
    raw = [min(rng.lognormvariate(8.3, 1.6), float(_POOL_BYTES)) for _ in range(count)]
    scale = total / sum(raw)
    return [max(1, min(int(s * scale), _POOL_BYTES)) for s in raw]


def _fill_tree(root, rng, content, count, total, prefix):
    """Writes `count` files in a tree of ~100-file directories; returns the bytes written."""
    written = 0
    exts = [".c", ".h", ".py", ".js", ".md", ".json", ".txt", ".so", ".png", ".bin"]
    for i, size in enumerate(_file_sizes(rng, count, total)):
        path = os.path.join(root, prefix, "mod%02d" % (i // 1000), "pkg%02d" % (i // 100 % 10),
                            "file%05d%s" % (i, rng.choice(exts)))
        _write(path, content.cut(rng, size))
        written += size
    return written


def _big_context(base, rng, content, quick):
    ctx = os.path.join(base, "big-context")
    count, total = (2_000, 30 << 20) if quick else (20_000, 300 << 20)
    written = _fill_tree(ctx, rng, content, count, total, "src")
    _write(os.path.join(ctx, "Dockerfile"), b"FROM scratch\nCOPY . /app\n")
    w = Workload("big-context", "%d files, %d MB; FROM scratch + COPY . /app" % (count, written >> 20),
                 ctx, os.path.join(ctx, "Dockerfile"), os.path.join(ctx, "src", "config", "settings.json"),
                 count + 2, written)
    w.reset_change_file()
    return w


# The 50-instruction Dockerfile: an application image assembled from small files, with the
# metadata a real one carries. plugins/auth/config.json (COPY at instruction 26) is the file the
# one-file change rewrites, so the 24 instructions after it are rebuilt.
_MANY_STEPS = """\
ARG BASE_VERSION=1.0
FROM scratch
ARG APP_VERSION=2.3.1
ARG BUILD_DATE=2026-01-01T00:00:00Z
ARG VCS_REF=4f2c9e1
LABEL org.opencontainers.image.title="bench-app"
LABEL org.opencontainers.image.version=$APP_VERSION
LABEL org.opencontainers.image.created=$BUILD_DATE org.opencontainers.image.revision=$VCS_REF
ENV APP_HOME=/opt/app
ENV PATH=/opt/app/bin:/usr/local/bin:/usr/bin:/bin
ENV LANG=C.UTF-8 LC_ALL=C.UTF-8
WORKDIR $APP_HOME
COPY etc/app.conf etc/
COPY etc/logging.conf etc/
COPY bin/ bin/
ENV APP_ENV=production
COPY lib/core/ lib/core/
COPY lib/net/ lib/net/
COPY lib/db/ lib/db/
LABEL com.example.component="core"
COPY share/locale/ share/locale/
COPY share/templates/ share/templates/
ENV TEMPLATE_DIR=$APP_HOME/share/templates
WORKDIR /opt/app/plugins
ENV PLUGIN_PATH=/opt/app/plugins
COPY plugins/auth/ auth/
COPY plugins/cache/ cache/
COPY plugins/metrics/ metrics/
WORKDIR /opt/app
COPY static/css/ static/css/
COPY static/js/ static/js/
COPY static/img/ static/img/
LABEL com.example.static="true"
ENV STATIC_ROOT=/opt/app/static
COPY data/seed/ data/seed/
COPY scripts/entrypoint.sh /usr/local/bin/entrypoint.sh
COPY scripts/healthcheck.sh /usr/local/bin/healthcheck.sh
ARG PORT=8080
ENV PORT=$PORT
EXPOSE $PORT
EXPOSE 8443/tcp
EXPOSE 9090
LABEL com.example.ports="8080,8443,9090"
WORKDIR /opt/app/data
WORKDIR /opt/app
USER 1000:1000
ENV HOME=/opt/app
LABEL maintainer="platform@example.com"
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
CMD ["serve", "--port", "8080"]
"""


def _many_steps(base, rng, content):
    ctx = os.path.join(base, "many-steps")
    dirs = {"bin": 6, "lib/core": 12, "lib/net": 8, "lib/db": 8, "share/locale": 10,
            "share/templates": 10, "plugins/auth": 5, "plugins/cache": 5, "plugins/metrics": 5,
            "static/css": 6, "static/js": 10, "static/img": 8, "data/seed": 6}
    count = written = 0
    for d, n in dirs.items():
        for i in range(n):
            data = content.cut(rng, rng.randint(200, 24_000))
            _write(os.path.join(ctx, d, "f%02d.dat" % i), data)
            count, written = count + 1, written + len(data)
    for f in ["etc/app.conf", "etc/logging.conf", "scripts/entrypoint.sh", "scripts/healthcheck.sh"]:
        data = content.cut(rng, rng.randint(200, 2_000))
        _write(os.path.join(ctx, f), data)
        count, written = count + 1, written + len(data)
    instructions = [l for l in _MANY_STEPS.splitlines() if l.strip()]
    assert len(instructions) == 50, len(instructions)
    _write(os.path.join(ctx, "Dockerfile"), _MANY_STEPS.encode())
    w = Workload("many-steps", "50 instructions, %d COPY of %d small files" % (
        sum(1 for l in instructions if l.startswith("COPY")), count + 1),
        ctx, os.path.join(ctx, "Dockerfile"), os.path.join(ctx, "plugins", "auth", "config.json"),
        count + 2, written)
    w.reset_change_file()
    return w


def _multi_stage(base, rng, content, quick):
    ctx = os.path.join(base, "multi-stage")
    per_part, part_bytes = (250, 3 << 20) if quick else (2_500, 30 << 20)
    lines, written = [], 0
    for p in range(1, 5):
        written += _fill_tree(ctx, rng, content, per_part, part_bytes, "part%d" % p)
        lines += ["FROM scratch AS part%d" % p, "COPY part%d/ /part%d/" % (p, p), ""]
    lines += ["FROM scratch"]
    lines += ["COPY --from=part%d /part%d/ /app/part%d/" % (p, p, p) for p in range(1, 5)]
    lines += ['CMD ["/app/part1/run"]', ""]
    _write(os.path.join(ctx, "Dockerfile"), "\n".join(lines).encode())
    w = Workload("multi-stage", "4 independent stages of %d files (%d MB in all) + final COPY --from each"
                 % (per_part, written >> 20), ctx, os.path.join(ctx, "Dockerfile"),
                 os.path.join(ctx, "part2", "config", "settings.json"), 4 * per_part + 2, written)
    w.reset_change_file()
    return w


def _from_maker(base, name, maker):
    """A workload whose files come from run_workloads (RUN steps on a busybox root)."""
    ctx = os.path.join(base, name)
    os.makedirs(ctx, exist_ok=True)
    files, description, change_file = maker(ctx)
    w = Workload(name, description, ctx, os.path.join(ctx, "Dockerfile"), change_file, files, 0)
    w.reset_change_file()
    return w


def generate(base, names, quick):
    """Writes the named workloads under `base`; returns them in the order given."""
    rng = random.Random(_SEED)
    content = _Content(rng)
    makers = {"big-context": lambda: _big_context(base, random.Random(_SEED + 1), content, quick),
              "many-steps": lambda: _many_steps(base, random.Random(_SEED + 2), content),
              "multi-stage": lambda: _multi_stage(base, random.Random(_SEED + 3), content, quick),
              "run-steps": lambda: _from_maker(base, "run-steps", run_workloads.run_steps),
              "cpu-stages": lambda: _from_maker(base, "cpu-stages", run_workloads.cpu_stages)}
    return [makers[n]() for n in names]


NAMES = ["big-context", "many-steps", "multi-stage", "run-steps", "cpu-stages"]
