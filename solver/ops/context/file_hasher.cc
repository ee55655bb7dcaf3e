#include "solver/ops/context/file_hasher.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "base/unique_fd.h"

namespace solver::ops::context {

namespace {

constexpr size_t k_read_buffer = 256 * 1024;
constexpr int k_attempts = 3;

base::Error file_error(const std::string& what, const std::string& path, int err) {
  return base::make_error(what + " \"" + path + "\": " + std::strerror(err));
}

// Opens `path` below `root_fd` without following any symlink, so that a
// directory swapped for a link since the walk cannot lead out of the context.
// O_NONBLOCK: a file replaced by a FIFO must not hang the open; the type
// check of the caller rejects it.
int open_beneath(int root_fd, const std::string& path) {
  constexpr uint64_t k_flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  struct open_how how = {};
  how.flags = k_flags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
  // Kernels before 5.6: the last component is still never followed.
  return openat(root_fd, path.c_str(), static_cast<int>(k_flags));
}

// One attempt: the digest of what was read, with the stat before and after.
struct Attempt {
  base::Digest digest;
  FileIdentity before;
  FileIdentity after;
  uint64_t bytes = 0;
};

Result<Attempt> read_once(int root_fd, const std::string& path, std::vector<char>& buffer) {
  base::UniqueFd fd(open_beneath(root_fd, path));
  if (!fd.valid()) return file_error("cannot open", path, errno);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return file_error("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) return base::make_error("\"" + path + "\" changed while being hashed");
  Attempt a;
  a.before = FileIdentity::from_stat(st);
  base::Sha256 sha;
  for (;;) {
    ssize_t n = read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return file_error("cannot read", path, errno);
    }
    if (n == 0) break;
    sha.update(buffer.data(), static_cast<size_t>(n));
    a.bytes += static_cast<uint64_t>(n);
  }
  if (fstat(fd.get(), &st) != 0) return file_error("cannot stat", path, errno);
  a.after = FileIdentity::from_stat(st);
  a.digest = sha.finish();
  return a;
}

Result<HashOutcome> hash_one(int root_fd, const HashJob& job, std::vector<char>& buffer) {
  for (int attempt = 0; attempt < k_attempts; ++attempt) {
    TRY_ASSIGN(Attempt a, read_once(root_fd, job.path, buffer));
    if (a.before == a.after && a.bytes == a.before.size) {
      HashOutcome out;
      out.digest = std::move(a.digest);
      out.stable = a.before == job.walked;
      out.id = a.before;
      out.bytes = a.bytes;
      return out;
    }
  }
  return base::make_error("\"" + job.path + "\" kept changing while being hashed");
}

}  // namespace

Result<std::vector<HashOutcome>> hash_files(int root_fd, const std::vector<HashJob>& jobs,
                                            unsigned max_threads) {
  std::vector<HashOutcome> outcomes(jobs.size());
  if (jobs.empty()) return outcomes;
  unsigned threads = max_threads != 0 ? max_threads : std::thread::hardware_concurrency();
  if (threads == 0) threads = 1;
  std::mutex error_mutex;
  std::optional<base::Error> first_error;
  std::atomic<bool> failed{false};
  // One read buffer per thread, not per file: large buffers come from mmap.
  tbb::enumerable_thread_specific<std::vector<char>> buffers(k_read_buffer);
  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, jobs.size(), 8),
                      [&](const tbb::blocked_range<size_t>& range) {
                        std::vector<char>& buffer = buffers.local();
                        for (size_t i = range.begin(); i != range.end(); ++i) {
                          if (failed.load(std::memory_order_relaxed)) return;
                          auto r = hash_one(root_fd, jobs[i], buffer);
                          if (!r.ok()) {
                            std::lock_guard lock(error_mutex);
                            if (!first_error) first_error = std::move(r).error();
                            failed = true;
                            return;
                          }
                          outcomes[i] = *std::move(r);
                        }
                      });
  });
  if (first_error) return *std::move(first_error);
  return outcomes;
}

}  // namespace solver::ops::context
