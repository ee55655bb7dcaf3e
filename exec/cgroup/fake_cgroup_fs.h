#pragma once
// An in-memory cgroupfs for tests: v2 and v1 hierarchies with the behaviour
// the cgroup code depends on, so v2 is covered on hosts without a writable v2
// tree and failures can be injected.
//
// Modelled: directories and interface files appear with mkdir (controller
// files only for controllers the parent delegates on v2, or the hierarchy's
// controllers on v1); cgroup.procs moves a pid between cgroups of one
// hierarchy; cgroup.subtree_control accepts "+c"/"-c" for controllers in
// cgroup.controllers and refuses with EBUSY when a non-root cgroup has
// processes (the no-internal-processes rule); cgroup.kill and kill_process()
// remove pids; rmdir refuses a cgroup with processes or children (EBUSY).
// Single-threaded.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "exec/cgroup/cgroup_fs.h"

namespace exec::cgroup {

class FakeCgroupFs final : public CgroupFs {
 public:
  // A v2 mount at `root` whose cgroup.controllers lists `controllers`.
  void add_v2_root(const std::string& root, const std::set<std::string>& controllers,
                   bool has_kill_file = true);
  // A v1 hierarchy at `root` for `controllers` (e.g. {"cpu", "cpuacct"}).
  void add_v1_root(const std::string& root, const std::set<std::string>& controllers,
                   bool has_memsw = true);

  int read_file(const std::string& path, std::string& out) override;
  int write_file(const std::string& path, std::string_view data) override;
  int make_dir(const std::string& path) override;
  int remove_dir(const std::string& path) override;
  bool exists(const std::string& path) override;
  int kill_process(int pid, int signal) override;
  void pause(std::chrono::microseconds how_long) override;

  // Test controls and observations.
  void set_file(const std::string& path, const std::string& content) { m_files[path] = content; }
  std::string file(const std::string& path) const;
  bool has_dir(const std::string& path) const { return m_dirs.count(path) != 0; }
  // Puts `pid` in the cgroup at `dir`, as a fork inside it would.
  void add_pid(const std::string& dir, int pid);
  std::vector<int> pids_in(const std::string& dir) const;
  // kill_process() leaves this pid alive (a process that will not die).
  void make_unkillable(int pid) { m_unkillable.insert(pid); }
  // New cgroups lack this interface file (e.g. "memory.swap.max" on a kernel
  // without swap accounting).
  void omit_interface_file(const std::string& name) { m_omitted.insert(name); }
  // The next write to `path` fails with `err`.
  void fail_write(const std::string& path, int err) { m_fail_write[path] = err; }
  const std::vector<std::pair<std::string, std::string>>& writes() const { return m_writes; }
  const std::vector<int>& killed() const { return m_killed; }
  int pauses() const { return m_pauses; }

 private:
  struct Root {
    bool v2 = false;
    std::set<std::string> controllers{};
    bool has_kill_file = true;
    bool has_memsw = true;
    std::map<int, std::string> members{};  // pid → cgroup dir
  };
  Root* root_of(const std::string& path, std::string* root_path = nullptr);
  void add_interface_files(const std::string& dir, const Root& root,
                           const std::set<std::string>& controllers);
  bool has_children(const std::string& dir) const;
  void remove_pid_everywhere(int pid);

  std::map<std::string, Root> m_roots{};
  std::set<std::string> m_dirs{};
  std::map<std::string, std::string> m_files{};
  std::map<std::string, int> m_fail_write{};
  std::set<int> m_unkillable{};
  std::set<std::string> m_omitted{};
  std::vector<std::pair<std::string, std::string>> m_writes{};
  std::vector<int> m_killed{};
  int m_pauses = 0;
};

}  // namespace exec::cgroup
