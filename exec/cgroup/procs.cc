#include "exec/cgroup/procs.h"

#include <cerrno>
#include <charconv>
#include <csignal>

namespace exec::cgroup {
namespace {

using std::chrono::microseconds;

// 100 µs, 200 µs, ... capped at 10 ms: quick for the usual case where the
// kernel needs a moment, gentle when something is slow to die.
microseconds next_pause(microseconds current) {
  return std::min(current * 2, microseconds(10'000));
}

}  // namespace

base::Result<void> check_step_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos)
    return base::make_error("invalid cgroup name \"" + name + "\"");
  return {};
}

std::string join_path(const std::string& root, const std::string& rel) {
  if (rel.empty()) return root;
  std::string out = root;
  while (!out.empty() && out.back() == '/') out.pop_back();
  size_t start = 0;
  while (start < rel.size() && rel[start] == '/') ++start;
  return out + "/" + rel.substr(start);
}

base::Error mkdir_error(const std::string& path, int err) {
  if (err == EEXIST) return base::make_error("cgroup " + path + " already exists");
  base::Error e = base::make_error("cannot create cgroup " + path + ": " + errno_text(err));
  if (err == EACCES || err == EPERM || err == EROFS)
    e.hint = "resource limits need root, or a cgroup delegated to this user";
  return e;
}

base::Result<void> make_dirs(CgroupFs& fs, const std::string& root, const std::string& dir) {
  if (dir.size() <= root.size()) return {};
  size_t pos = root.size();
  while (pos < dir.size()) {
    size_t next = dir.find('/', pos + 1);
    if (next == std::string::npos) next = dir.size();
    std::string part = dir.substr(0, next);
    if (part.size() > root.size() && !part.ends_with("/")) {
      int err = fs.make_dir(part);
      if (err != 0 && err != EEXIST) return mkdir_error(part, err);
    }
    pos = next;
  }
  return {};
}

std::vector<int> parse_pids(const std::string& text) {
  std::vector<int> out;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    while (p < end && (*p == '\n' || *p == ' ')) ++p;
    if (p == end) break;
    int pid = 0;
    auto [next, ec] = std::from_chars(p, end, pid);
    if (ec != std::errc()) break;  // not a pid list; nothing sensible to kill
    if (pid > 0) out.push_back(pid);
    p = next;
  }
  return out;
}

base::Result<void> kill_until_empty(CgroupFs& fs, const std::vector<std::string>& procs_files,
                                    std::chrono::milliseconds budget) {
  microseconds waited(0);
  microseconds pause(100);
  std::vector<int> left;
  for (;;) {
    left.clear();
    for (const auto& file : procs_files) {
      std::string text;
      int err = fs.read_file(file, text);
      if (err == ENOENT) continue;  // already removed
      if (err != 0) return base::make_error("cannot read " + file + ": " + errno_text(err));
      for (int pid : parse_pids(text)) left.push_back(pid);
    }
    if (left.empty()) return {};
    if (waited >= budget) break;
    // A pid read here may exit and be reused before the kill; the window is
    // a few microseconds and pid reuse needs the whole pid space to wrap.
    for (int pid : left) (void)fs.kill_process(pid, SIGKILL);  // ESRCH: already gone
    fs.pause(pause);
    waited += pause;
    pause = next_pause(pause);
  }
  std::string list;
  for (int pid : left) list += " " + std::to_string(pid);
  return base::make_error("processes still running in " + procs_files.front() + " after " +
                          std::to_string(budget.count()) + "ms:" + list);
}

base::Result<void> remove_dir_retrying(CgroupFs& fs, const std::string& dir,
                                       std::chrono::milliseconds budget) {
  microseconds waited(0);
  microseconds pause(100);
  for (;;) {
    int err = fs.remove_dir(dir);
    if (err == 0 || err == ENOENT) return {};
    if (err != EBUSY || waited >= budget)
      return base::make_error("cannot remove cgroup " + dir + ": " + errno_text(err));
    fs.pause(pause);
    waited += pause;
    pause = next_pause(pause);
  }
}

}  // namespace exec::cgroup
