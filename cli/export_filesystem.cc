#include "cli/export_filesystem.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "base/unique_fd.h"
#include "snapshotter/layer/apply.h"
#include "snapshotter/layer/diff.h"

namespace cli {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

// An empty directory standing in for the empty filesystem; removed on
// destruction.
class EmptyDir {
 public:
  EmptyDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kiln-empty-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) m_path = tmpl;
  }
  ~EmptyDir() {
    if (!m_path.empty()) ::rmdir(m_path.c_str());
  }
  EmptyDir(const EmptyDir&) = delete;
  EmptyDir& operator=(const EmptyDir&) = delete;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

// Calls `write(dir)` with a read-only view of the snapshot.
template <class Fn>
base::Result<void> with_view(snapshotter::Snapshotter& snapshots, const std::string& snapshot, Fn&& fn) {
  if (snapshot.empty()) {
    EmptyDir empty;
    if (empty.path().empty()) return base::make_error("cannot create a temporary directory: " + errno_text(errno));
    return fn(empty.path());
  }
  TRY_ASSIGN(auto view, snapshots.mount(snapshot));
  return fn(view->path());
}

base::Result<void> write_tar(const std::string& dir, int fd, const std::optional<int64_t>& clamp) {
  snapshotter::layer::FdSink sink(fd);
  snapshotter::layer::DiffOptions options;
  options.mtime_clamp = clamp;
  TRY(snapshotter::layer::write_tree_diff("", dir, sink, options));
  return sink.close();
}

}  // namespace

base::Result<void> export_tar(snapshotter::Snapshotter& snapshots, const FilesystemExport& request) {
  return with_view(snapshots, request.snapshot, [&](const std::string& dir) -> base::Result<void> {
    if (request.dest == "-") return write_tar(dir, STDOUT_FILENO, request.mtime_clamp);
    // Written next to the destination, then renamed: a failed export leaves
    // no half-written file under the destination's name.
    std::string tmp = request.dest + ".kiln-tmp-XXXXXX";
    base::UniqueFd fd(::mkstemp(tmp.data()));
    if (!fd.valid()) return base::make_error("cannot create " + tmp + ": " + errno_text(errno));
    auto written = write_tar(dir, fd.get(), request.mtime_clamp);
    if (written.ok() && ::fchmod(fd.get(), 0644) != 0)
      written = base::make_error("cannot chmod " + tmp + ": " + errno_text(errno));
    if (written.ok() && ::fsync(fd.get()) != 0)
      written = base::make_error("cannot sync " + tmp + ": " + errno_text(errno));
    fd.reset();
    if (written.ok() && ::rename(tmp.c_str(), request.dest.c_str()) != 0)
      written = base::make_error("cannot rename " + tmp + " to " + request.dest + ": " + errno_text(errno));
    if (!written.ok()) ::unlink(tmp.c_str());
    return written;
  });
}

base::Result<void> export_local(snapshotter::Snapshotter& snapshots, const FilesystemExport& request) {
  std::error_code ec;
  std::filesystem::create_directories(request.dest, ec);
  if (ec) return base::make_error("cannot create directory " + request.dest + ": " + ec.message());
  if (!std::filesystem::is_directory(request.dest, ec))
    return base::make_error(request.dest + " is not a directory");
  return with_view(snapshots, request.snapshot, [&](const std::string& dir) -> base::Result<void> {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return base::make_error("cannot create a pipe: " + errno_text(errno));
    base::UniqueFd read_end(fds[0]);
    base::UniqueFd write_end(fds[1]);
    // The tree is written as a tar on one thread and unpacked on this one;
    // the pipe keeps memory bounded whatever the tree's size.
    base::Result<void> produced;
    std::thread producer([&] {
      // A write to a pipe whose reader gave up must fail with EPIPE, not
      // kill the process: SIGPIPE is blocked on this thread only.
      sigset_t pipe_signal;
      sigemptyset(&pipe_signal);
      sigaddset(&pipe_signal, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
      produced = write_tar(dir, write_end.get(), request.mtime_clamp);
      write_end.reset();
    });
    snapshotter::layer::FdSource source(read_end.get());
    auto applied = snapshotter::layer::apply_layer(request.dest, source);
    if (applied.ok()) {
      // The applier stops at the end-of-archive blocks; the writer's record
      // padding may follow.
      char buf[4096];
      while (::read(read_end.get(), buf, sizeof buf) > 0) {
      }
    }
    read_end.reset();  // unblocks the producer if the applier failed early
    producer.join();
    if (!applied.ok()) return applied.error();
    if (!produced.ok()) return produced.error();
    return {};
  });
}

}  // namespace cli
