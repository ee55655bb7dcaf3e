// A by-hand timing of ContextHasher::select: builds a context of `files`
// files (default 20,000 in 200 directories, `megabytes` in total, default
// 300) under `dir` (default /tmp/kiln-ctx-bench), then times a cold select
// (empty stat cache), warm selects (nothing changed: the no-op rebuild), and
// a select after one file changed. Each select opens its own ContextHasher,
// as a new `kiln build` process would.
//
//   solver_ops_context_bench [dir] [files] [megabytes] [keep]
//
// With "keep", an existing context is reused and left in place afterwards
// (for profiling warm selects).

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "solver/ops/context/selection.h"

namespace {

using solver::ops::context::ContextHasher;
using solver::ops::context::SelectRequest;

bool write_file(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  return ok;
}

bool build_context(const std::string& dir, int files, uint64_t total_bytes) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const int per_dir = 100;
  const uint64_t average = total_bytes / static_cast<uint64_t>(files);
  uint64_t state = 88172645463325252ull;
  std::string content;
  for (int i = 0; i < files; ++i) {
    const std::string sub = dir + "/module_" + std::to_string(i / per_dir);
    if (i % per_dir == 0) std::filesystem::create_directories(sub);
    // Sizes spread between 0 and twice the average, contents distinct.
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    const uint64_t size = state % (2 * average + 1);
    content.assign(static_cast<size_t>(size), static_cast<char>('a' + i % 26));
    const std::string tag = std::to_string(i);
    content.replace(0, std::min(content.size(), tag.size()), tag.substr(0, content.size()));
    if (!write_file(sub + "/file_" + std::to_string(i) + ".src", content)) return false;
  }
  return true;
}

double cpu_ms() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const struct timeval& tv) {
    return static_cast<double>(tv.tv_sec) * 1e3 + static_cast<double>(tv.tv_usec) / 1e3;
  };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

double select_once(const std::string& root, const std::string& dir, const char* label) {
  const double cpu_start = cpu_ms();
  const auto start = std::chrono::steady_clock::now();
  auto hasher = ContextHasher::open(root);
  if (!hasher.ok()) {
    std::fprintf(stderr, "error: %s\n", hasher.error().render().c_str());
    std::exit(1);
  }
  SelectRequest request;
  request.sources = {"."};
  request.ignore_patterns = {"**/*.tmp"};
  auto selection = hasher->select(dir, request);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!selection.ok()) {
    std::fprintf(stderr, "error: %s\n", selection.error().render().c_str());
    std::exit(1);
  }
  const auto& s = hasher->last_stats();
  std::printf("%-20s %7.1f ms, cpu %7.1f ms (walk %.1f, cache load %.1f, hash %.1f, cache store %.1f)  "
              "entries %llu  hashed %llu (%.1f MB)  reused %llu  rows written %llu\n",
              label, ms, cpu_ms() - cpu_start, s.walk_ms, s.load_ms, s.hash_ms, s.store_ms,
              static_cast<unsigned long long>(s.entries),
              static_cast<unsigned long long>(s.files_hashed),
              static_cast<double>(s.bytes_hashed) / 1e6,
              static_cast<unsigned long long>(s.files_reused),
              static_cast<unsigned long long>(s.rows_written));
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string base = argc > 1 ? argv[1] : "/tmp/kiln-ctx-bench";
  const int files = argc > 2 ? std::atoi(argv[2]) : 20'000;
  const uint64_t megabytes = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 300;
  const bool keep = argc > 4 && std::string(argv[4]) == "keep";
  const std::string dir = base + "/context";
  const std::string root = base + "/root";
  std::printf("building %d files, %llu MB in %s\n", files,
              static_cast<unsigned long long>(megabytes), dir.c_str());
  if (!(keep && std::filesystem::exists(dir)) && !build_context(dir, files, megabytes * 1'000'000)) {
    std::fprintf(stderr, "error: cannot build the context\n");
    return 1;
  }
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  // Files written in the last moments before a select are racily clean and
  // hashed again by the next one; let them age past the margin first.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  select_once(root, dir, "cold (empty cache)");
  select_once(root, dir, "warm (no change)");
  select_once(root, dir, "warm (no change)");
  write_file(dir + "/module_3/file_300.src", "changed");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  select_once(root, dir, "one file changed");
  select_once(root, dir, "warm (no change)");
  if (!keep) std::filesystem::remove_all(base);
  return 0;
}
