#pragma once
// One RUN step on the snapshotter: a new active snapshot on the parent's,
// mounted on the host, the process run in the sandbox with that mount as its
// root, then the snapshot committed. With the overlay backend the step's
// layer is then exactly the overlay upper directory: files the process only
// read never appear in it. A failed or canceled step leaves no snapshot.
#include <atomic>
#include <mutex>
#include <string>

#include "base/result.h"
#include "content/tmp_dir.h"
#include "exec/runner.h"
#include "snapshotter/snapshotter.h"
#include "solver/core/executor.h"
#include "solver/ir/ir.h"
#include "solver/ops/exec/process_spec.h"
#include "solver/ops/exec/step_mounts.h"

namespace solver_ops::exec_step {

class ExecStepRunner {
 public:
  // Borrowed; all outlive the runner. `tmp` holds per-step state dirs;
  // `caches` may be null (then cache mounts are refused).
  ExecStepRunner(snapshotter::Snapshotter& snapshots, exec::ProcessRunner& processes,
                 const content::TmpDir& tmp, const CacheMounts* caches, RunSettings settings)
      : m_snapshots(snapshots), m_processes(processes), m_tmp(tmp), m_caches(caches),
        m_settings(std::move(settings)) {}

  // Runs `op` on its inputs (inputs[0].snapshot is the root's parent, ""
  // = empty filesystem; the others feed RUN --mount) and returns the
  // committed result. Output goes to `step` as it arrives.
  base::Result<std::string> run(const ir::Exec& op, const std::vector<MountInput>& inputs,
                                solver::StepContext& step);

  // The same process on a throwaway root (`kiln run`): nothing is
  // committed, and the process's status is returned rather than judged.
  base::Result<exec::ProcessResult> run_discarded(const ir::Exec& op, const std::vector<MountInput>& inputs,
                                                  solver::StepContext& step);

  const RunSettings& settings() const { return m_settings; }

 private:
  struct Outcome {
    exec::ProcessResult process;
    exec::Limits limits;
    std::string committed;  // when kept and successful
  };
  base::Result<Outcome> execute(const ir::Exec& op, const std::vector<MountInput>& inputs,
                                solver::StepContext& step, bool keep);
  void debug_shell(const ir::Exec& op, const exec::ProcessSpec& failed, const exec::Cancel& cancel);

  snapshotter::Snapshotter& m_snapshots;
  exec::ProcessRunner& m_processes;
  const content::TmpDir& m_tmp;
  const CacheMounts* m_caches;
  RunSettings m_settings;
  std::atomic<uint64_t> m_steps{0};
  std::mutex m_shell_mutex;
};

}  // namespace solver_ops::exec_step
