#pragma once
// RUN --mount made concrete for one step: every ir::Mount of the op becomes an
// exec::MountEntry on a host path, and StepMounts keeps alive what those
// paths need (read-only views of input snapshots, scratch snapshots for
// writable binds whose writes are discarded, cache directories and their
// locks, secret files) until the process is gone.
//  - bind: a stage, image or context path, read-only unless `rw` (then the
//    step writes into a throwaway copy-on-write layer);
//  - cache: a directory under <root>/cache-mounts/ that outlives builds and
//    never enters an image (cache_mounts.h);
//  - tmpfs: a fresh tmpfs of the given size;
//  - secret: the file or environment value of `kiln build --secret`,
//    written to the step's state dir and bind-mounted read-only, or exposed
//    as an environment variable; never part of a layer, key or log;
//  - ssh: the agent socket of `kiln build --ssh`, bind-mounted, with
//    SSH_AUTH_SOCK pointing at it.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "exec/spec.h"
#include "snapshotter/snapshotter.h"
#include "solver/ir/ir.h"
#include "solver/ops/exec/cache_mounts.h"
#include "solver/ops/exec/process_spec.h"

namespace solver_ops::exec_step {

// One input of the RUN op as a mount source: a committed snapshot ("" = the
// empty filesystem), or a host directory (a build context, read in place).
struct MountInput {
  std::string snapshot{};
  std::string dir{};
};

class StepMounts {
 public:
  StepMounts(const StepMounts&) = delete;
  StepMounts& operator=(const StepMounts&) = delete;
  ~StepMounts();

  // Adds the op's mounts to `spec` (mounts and env). `inputs` parallels the
  // op's inputs; `state_dir` holds the step's private files.
  static base::Result<std::unique_ptr<StepMounts>> prepare(
      const ir::Exec& op, const std::vector<MountInput>& inputs, snapshotter::Snapshotter& snapshots,
      const RunSettings& settings, const CacheMounts* caches, const std::string& state_dir,
      exec::ProcessSpec& spec);

 private:
  explicit StepMounts(snapshotter::Snapshotter& snapshots) : m_snapshots(snapshots) {}
  base::Result<std::string> source_dir(const ir::Mount& mount, const std::vector<MountInput>& inputs,
                                       const std::string& state_dir, size_t index);

  snapshotter::Snapshotter& m_snapshots;
  std::vector<std::unique_ptr<snapshotter::MountedFs>> m_views;  // unmounted before m_scratch removed
  std::vector<std::string> m_scratch;                             // active snapshots to discard
  std::vector<CacheMounts::Lease> m_caches;
};

}  // namespace solver_ops::exec_step
