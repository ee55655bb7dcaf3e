#pragma once
// What the v1 and v2 step cgroups share: making directory chains, killing
// every process listed in a set of cgroup.procs files until they are empty,
// and removing a cgroup directory with a short retry while the last exiting
// tasks leave it.
#include <chrono>
#include <string>
#include <vector>

#include "base/result.h"
#include "exec/cgroup/cgroup_fs.h"

namespace exec::cgroup {

// Step names become directory names: no '/', not empty, "." or "..".
base::Result<void> check_step_name(const std::string& name);

// "<root>/<rel>" with single slashes.
std::string join_path(const std::string& root, const std::string& rel);

// "cannot create cgroup <path>: <errno text>", with a hint when the cause is
// missing privileges.
base::Error mkdir_error(const std::string& path, int err);

// Creates every missing directory of `dir` below `root` (which must exist).
// An existing directory is fine: concurrent builds share kiln's parent.
base::Result<void> make_dirs(CgroupFs& fs, const std::string& root, const std::string& dir);

// The pids listed in a cgroup.procs text.
std::vector<int> parse_pids(const std::string& text);

// SIGKILL to every pid in the `procs_files` until all of them read empty.
// Without a freezer a process may fork between the read and the kill, so this
// loops; `budget` bounds the total wait.
base::Result<void> kill_until_empty(CgroupFs& fs, const std::vector<std::string>& procs_files,
                                    std::chrono::milliseconds budget);

// rmdir, retried on EBUSY (tasks that got SIGKILL leave the cgroup when they
// finish exiting) for up to `budget`. ENOENT counts as removed.
base::Result<void> remove_dir_retrying(CgroupFs& fs, const std::string& dir,
                                       std::chrono::milliseconds budget);

}  // namespace exec::cgroup
