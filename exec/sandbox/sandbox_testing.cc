#include "exec/sandbox/sandbox_testing.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base/unique_fd.h"

namespace exec::testing {

void make_busybox_root(const std::string& dir, bool with_system_dirs) {
  namespace fs = std::filesystem;
  fs::create_directories(dir + "/bin");
  fs::copy_file("/bin/busybox", dir + "/bin/busybox");
  for (const char* applet : {"sh", "echo", "cat", "ls", "sleep", "hostname", "ps", "id", "env", "pwd", "true",
                             "false", "kill", "grep", "wc", "stat", "mkdir", "touch", "head", "sed", "test", "tr"})
    fs::create_symlink("busybox", dir + "/bin/" + applet);
  if (with_system_dirs)
    for (const char* d : {"proc", "dev", "sys", "etc", "tmp"}) fs::create_directories(dir + "/" + d);
}

std::vector<std::string> host_mounts(const std::string& under) {
  std::vector<std::string> lines;
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);)
    if (under.empty() || line.find(under) != std::string::npos) lines.push_back(line);
  return lines;
}

size_t open_fd_count() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

namespace {

// A process may exit between the listing of /proc and the read, which then
// fails with ESRCH: it is no longer a match. (An ifstream would throw there.)
std::string read_cmdline(const std::string& pid) {
  base::UniqueFd fd(::open(("/proc/" + pid + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC));
  std::string cmdline;
  if (!fd.valid()) return cmdline;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) > 0;) cmdline.append(buf, static_cast<size_t>(n));
  return cmdline;
}

}  // namespace

std::vector<int> find_processes(const std::string& needle) {
  std::vector<int> pids;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (read_cmdline(name).find(needle) != std::string::npos) pids.push_back(std::stoi(name));
  }
  return pids;
}

bool has_children() {
  siginfo_t info{};
  return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

}  // namespace exec::testing
