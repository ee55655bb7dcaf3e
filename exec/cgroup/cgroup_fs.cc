#include "exec/cgroup/cgroup_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "base/unique_fd.h"

namespace exec::cgroup {
namespace {

class RealCgroupFs final : public CgroupFs {
 public:
  int read_file(const std::string& path, std::string& out) override {
    base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return errno;
    out.clear();
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      if (n == 0) return 0;
      out.append(buf, static_cast<size_t>(n));
    }
  }

  int write_file(const std::string& path, std::string_view data) override {
    base::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) return errno;
    for (;;) {
      ssize_t n = ::write(fd.get(), data.data(), data.size());
      if (n >= 0) return static_cast<size_t>(n) == data.size() ? 0 : EIO;
      if (errno != EINTR) return errno;
    }
  }

  int make_dir(const std::string& path) override {
    return ::mkdir(path.c_str(), 0755) == 0 ? 0 : errno;
  }
  int remove_dir(const std::string& path) override {
    return ::rmdir(path.c_str()) == 0 ? 0 : errno;
  }
  bool exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
  int kill_process(int pid, int signal) override {
    return ::kill(pid, signal) == 0 ? 0 : errno;
  }
  void pause(std::chrono::microseconds how_long) override { std::this_thread::sleep_for(how_long); }
};

}  // namespace

CgroupFs& real_cgroup_fs() {
  static RealCgroupFs fs;  // stateless: every call is a plain syscall
  return fs;
}

std::string errno_text(int err) { return std::strerror(err); }

std::string who(int pid) { return pid == 0 ? "the step" : "process " + std::to_string(pid); }

}  // namespace exec::cgroup
