#include "exec/cgroup/v2.h"

#include <cerrno>
#include <set>
#include <sstream>

#include "exec/cgroup/procs.h"

namespace exec::cgroup {
namespace {

constexpr std::chrono::milliseconds k_kill_budget(5000);
constexpr std::chrono::milliseconds k_rmdir_budget(2000);

class V2StepCgroup final : public StepCgroup {
 public:
  V2StepCgroup(CgroupFs& fs, std::string dir, std::vector<std::string> warnings)
      : m_fs(fs), m_dir(std::move(dir)), m_warnings(std::move(warnings)) {}

  ~V2StepCgroup() override {
    // Best effort: a destructor cannot report, and a leftover empty cgroup
    // with a unique name harms nothing.
    (void)kill_all();
    (void)remove_dir_retrying(m_fs, m_dir, k_rmdir_budget);
  }

  base::Result<void> add_process(int pid) override {
    std::string file = m_dir + "/cgroup.procs";
    if (int err = m_fs.write_file(file, std::to_string(pid)))
      return base::make_error("cannot move " + who(pid) + " into " + file + ": " + errno_text(err));
    return {};
  }

  base::Result<void> kill_all() override {
    std::string procs = m_dir + "/cgroup.procs";
    // cgroup.kill (Linux 5.14) kills the whole subtree at once, forks included.
    std::string kill_file = m_dir + "/cgroup.kill";
    if (m_fs.exists(kill_file)) {
      if (int err = m_fs.write_file(kill_file, "1"); err != 0 && err != ENOENT)
        return base::make_error("cannot write " + kill_file + ": " + errno_text(err));
    }
    return kill_until_empty(m_fs, {procs}, k_kill_budget);
  }

  base::Result<CgroupOutcome> outcome() override {
    CgroupOutcome out;
    std::string text;
    if (m_fs.read_file(m_dir + "/memory.events", text) == 0)
      out.oom_killed = keyed_value(text, "oom_kill").value_or(0) > 0;
    if (m_fs.read_file(m_dir + "/pids.events", text) == 0)
      out.pids_limit_hit = keyed_value(text, "max").value_or(0) > 0;
    return out;
  }

  std::vector<std::string> warnings() const override { return m_warnings; }
  std::string unified_dir() const override { return m_dir; }

 private:
  CgroupFs& m_fs;
  std::string m_dir;
  std::vector<std::string> m_warnings;
};

std::set<std::string> read_words(CgroupFs& fs, const std::string& path) {
  std::set<std::string> out;
  std::string text;
  if (fs.read_file(path, text) != 0) return out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

// Enables `controllers` for the children of `dir`.
base::Result<void> delegate(CgroupFs& fs, const std::string& dir,
                            const std::vector<std::string>& controllers) {
  std::string file = dir + "/cgroup.subtree_control";
  std::set<std::string> enabled = read_words(fs, file);
  std::string change;
  std::string names;
  for (const auto& c : controllers) {
    if (enabled.count(c)) continue;
    change += (change.empty() ? "+" : " +") + c;
    names += (names.empty() ? "" : ", ") + c;
  }
  if (change.empty()) return {};
  int err = fs.write_file(file, change);
  if (err == 0) return {};
  base::Error e = base::make_error("cannot enable the " + names + " controller(s) in " + file +
                                   ": " + errno_text(err));
  if (err == EBUSY) {
    e.hint = dir +
             " has processes of its own, and cgroup v2 delegates controllers only from cgroups "
             "without processes; move them into a child cgroup (e.g. " + dir +
             "/init) or run kiln where its cgroup parent can be delegated";
  }
  return e;
}

}  // namespace

base::Result<std::unique_ptr<StepCgroup>> create_v2_step_cgroup(CgroupFs& fs,
                                                                 const CgroupHost& host,
                                                                 const std::string& name,
                                                                 const ResolvedLimits& requested) {
  TRY(check_step_name(name));
  TRY_ASSIGN(SupportedLimits supported, drop_unsupported(requested, [&](const std::string& c) {
               return host.v2_controllers.count(c) ? std::string()
                                                   : "the " + c + " controller is not available in " + host.unified_root;
             }));
  ResolvedLimits limits = std::move(supported.limits);
  std::vector<std::string> warnings = std::move(supported.warnings);
  std::vector<std::string> controllers = std::move(supported.controllers);

  const std::string parent = join_path(host.unified_root, host.parent);
  const std::string dir = join_path(parent, name);
  // Delegate level by level: root, then each directory of `parent`.
  std::string level = host.unified_root;
  TRY(delegate(fs, level, controllers));
  std::string rest = host.parent;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    level = join_path(level, rest.substr(0, slash));
    rest = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
    TRY(make_dirs(fs, host.unified_root, level));
    TRY(delegate(fs, level, controllers));
  }
  if (int err = fs.make_dir(dir)) return mkdir_error(dir, err);
  bool swap_supported = fs.exists(dir + "/memory.swap.max");
  if (limits.memory && limits.swap_given && !swap_supported)
    warnings.push_back(
        "--memory-swap cannot be enforced: the kernel does not account swap (no "
        "memory.swap.max); memory is limited without a swap limit");
  // From here on the object owns the directory: an early return removes it.
  auto cgroup = std::make_unique<V2StepCgroup>(fs, dir, std::move(warnings));
  for (const FileWrite& w : v2_writes(limits, swap_supported)) {
    if (int err = fs.write_file(dir + "/" + w.file, w.value))
      return base::make_error("cannot set " + w.file + " to " + w.value + " in " + dir + ": " +
                              errno_text(err));
  }
  return std::unique_ptr<StepCgroup>(std::move(cgroup));
}

}  // namespace exec::cgroup
