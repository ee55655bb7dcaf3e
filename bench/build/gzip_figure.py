"""The gzip figure: kiln's layer compression against `gzip -6` on the big context's tar.

Runs kiln_layer_compress_bench (snapshotter/layer/compress_bench.cc, built with KILN_BENCH in
build-bench/, a directory of the benchmark's own) on the tar, and times `gzip -6` (one thread,
the usual reference) on the same file."""
import os
import subprocess
import time


def compress_bench(repo):
    """The path of kiln_layer_compress_bench, built on demand in build-bench/; None if it cannot be."""
    out = os.path.join(repo, "build-bench")
    binary = os.path.join(out, "snapshotter", "kiln_layer_compress_bench")
    cfg = ["cmake", "-S", repo, "-B", out, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release", "-DKILN_BENCH=ON"]
    if not os.path.exists(os.path.join(out, "build.ninja")):
        if subprocess.run(cfg, capture_output=True).returncode != 0:
            return None
    build = subprocess.run(["cmake", "--build", out, "--target", "kiln_layer_compress_bench"],
                           capture_output=True, text=True)
    return binary if build.returncode == 0 and os.access(binary, os.X_OK) else None


def run(repo, context, workdir):
    os.makedirs(workdir, exist_ok=True)
    tar = os.path.join(workdir, "context.tar")
    subprocess.run(["tar", "-C", context, "-cf", tar, "."], check=True)
    size = os.path.getsize(tar)
    print("\ngzip figure on the big context as one tar (%.0f MB):" % (size / 1e6))
    start = time.monotonic()
    with open(tar, "rb") as src:
        gz = subprocess.run(["gzip", "-6", "-c"], stdin=src, stdout=subprocess.PIPE, check=True).stdout
    secs = time.monotonic() - start
    result = {"tar_bytes": size, "gzip6_seconds": secs, "gzip6_bytes": len(gz), "compress_bench": None}
    print("%-34s %8.1f MB/s  ratio %.4f  (the `gzip -6` command)" % ("gzip -6, 1 thread", size / 1e6 / secs,
                                                                    len(gz) / size))
    binary = compress_bench(repo)
    if binary is None:
        print("kiln_layer_compress_bench could not be built; only the gzip command was timed")
    else:
        out = subprocess.run([binary, tar], capture_output=True, text=True)
        print(out.stdout.rstrip() if out.returncode == 0 else "compress bench failed: " + out.stderr)
        result["compress_bench"] = out.stdout
    os.remove(tar)
    return result
