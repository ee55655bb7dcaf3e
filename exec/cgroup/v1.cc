#include "exec/cgroup/v1.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>

#include "exec/cgroup/procs.h"

namespace exec::cgroup {
namespace {

constexpr std::chrono::milliseconds k_kill_budget(5000);
constexpr std::chrono::milliseconds k_rmdir_budget(2000);

class V1StepCgroup final : public StepCgroup {
 public:
  // `dirs`: controller → the step's directory in that controller's hierarchy.
  V1StepCgroup(CgroupFs& fs, std::map<std::string, std::string> dirs,
               std::vector<std::string> warnings)
      : m_fs(fs), m_dirs(std::move(dirs)), m_warnings(std::move(warnings)) {
    for (const auto& [controller, dir] : m_dirs)
      if (std::find(m_unique.begin(), m_unique.end(), dir) == m_unique.end())
        m_unique.push_back(dir);
  }

  ~V1StepCgroup() override {
    // Best effort: a destructor cannot report, and a leftover empty cgroup
    // with a unique name harms nothing.
    (void)kill_all();
    for (const auto& dir : m_unique) (void)remove_dir_retrying(m_fs, dir, k_rmdir_budget);
  }

  base::Result<void> add_process(int pid) override {
    // Every hierarchy, so that each limit applies and each can be emptied.
    for (const auto& dir : m_unique) {
      std::string file = dir + "/cgroup.procs";
      if (int err = m_fs.write_file(file, std::to_string(pid)))
        return base::make_error("cannot move " + who(pid) + " into " + file + ": " + errno_text(err));
    }
    return {};
  }

  base::Result<void> kill_all() override {
    std::vector<std::string> files;
    for (const auto& dir : m_unique) files.push_back(dir + "/cgroup.procs");
    return kill_until_empty(m_fs, files, k_kill_budget);
  }

  base::Result<CgroupOutcome> outcome() override {
    CgroupOutcome out;
    std::string text;
    if (auto it = m_dirs.find("memory"); it != m_dirs.end()) {
      const std::string& dir = it->second;
      if (m_fs.read_file(dir + "/memory.oom_control", text) == 0) {
        if (auto kills = keyed_value(text, "oom_kill")) {
          out.oom_killed = *kills > 0;
        } else {
          // Kernels before 4.13 have no oom_kill counter: the cgroup being
          // under OOM, or its limit having refused a charge, is the best sign.
          out.oom_killed = keyed_value(text, "under_oom").value_or(0) > 0;
          std::string failcnt;
          if (!out.oom_killed && m_fs.read_file(dir + "/memory.failcnt", failcnt) == 0)
            out.oom_killed = std::strtoull(failcnt.c_str(), nullptr, 10) > 0;
        }
      }
    }
    if (auto it = m_dirs.find("pids"); it != m_dirs.end()) {
      if (m_fs.read_file(it->second + "/pids.events", text) == 0)
        out.pids_limit_hit = keyed_value(text, "max").value_or(0) > 0;
    }
    return out;
  }

  std::vector<std::string> warnings() const override { return m_warnings; }

 private:
  CgroupFs& m_fs;
  std::map<std::string, std::string> m_dirs;
  std::vector<std::string> m_unique;  // distinct directories, each made once
  std::vector<std::string> m_warnings;
};

}  // namespace

base::Result<std::unique_ptr<StepCgroup>> create_v1_step_cgroup(CgroupFs& fs,
                                                                 const CgroupHost& host,
                                                                 const std::string& name,
                                                                 const ResolvedLimits& requested) {
  TRY(check_step_name(name));
  TRY_ASSIGN(SupportedLimits supported, drop_unsupported(requested, [&](const std::string& c) {
               return host.v1_mounts.count(c) ? std::string() : "the " + c + " cgroup controller is not mounted";
             }));
  ResolvedLimits limits = std::move(supported.limits);
  std::vector<std::string> warnings = std::move(supported.warnings);
  std::vector<std::string> controllers = std::move(supported.controllers);
  if (controllers.empty()) {
    for (const char* c : {"pids", "memory", "cpu"}) {
      if (host.v1_mounts.count(c)) {
        controllers.emplace_back(c);
        break;
      }
    }
  }
  if (controllers.empty()) return base::make_error("no cgroup v1 hierarchy to track the step in");

  // Create each distinct directory once; the object owns them as soon as
  // they exist so that any later failure removes them again.
  std::map<std::string, std::string> dirs;
  std::vector<std::string> created;
  for (const auto& c : controllers) {
    const std::string& mount = host.v1_mounts.at(c);
    std::string dir = join_path(join_path(mount, host.parent), name);
    dirs[c] = dir;
    if (std::find(created.begin(), created.end(), dir) != created.end()) continue;
    base::Result<void> made = make_dirs(fs, mount, join_path(mount, host.parent));
    int err = made.ok() ? fs.make_dir(dir) : 0;
    if (!made.ok() || err != 0) {
      for (const auto& d : created) (void)fs.remove_dir(d);
      if (!made.ok()) return std::move(made).error();
      return mkdir_error(dir, err);
    }
    created.push_back(dir);
  }

  bool swap_supported = false;
  if (auto it = dirs.find("memory"); it != dirs.end())
    swap_supported = fs.exists(it->second + "/memory.memsw.limit_in_bytes");
  if (limits.memory && limits.swap_given && !swap_supported)
    warnings.push_back(
        "--memory-swap cannot be enforced: the kernel does not account swap (no "
        "memory.memsw.limit_in_bytes; boot with swapaccount=1); memory is limited without a "
        "swap limit");
  auto cgroup = std::make_unique<V1StepCgroup>(fs, dirs, std::move(warnings));
  for (const FileWrite& w : v1_writes(limits, swap_supported)) {
    const std::string& dir = dirs.at(w.controller);
    if (int err = fs.write_file(dir + "/" + w.file, w.value))
      return base::make_error("cannot set " + w.file + " to " + w.value + " in " + dir + ": " +
                              errno_text(err));
  }
  return std::unique_ptr<StepCgroup>(std::move(cgroup));
}

}  // namespace exec::cgroup
