#include "solver/ops/exec/exec_step.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/unique_fd.h"
#include "content/file_ops.h"
#include "snapshotter/active_snapshot.h"
#include "solver/ops/exec/exec_user.h"

namespace solver_ops::exec_step {
namespace {

class StepOutput final : public exec::OutputSink {
 public:
  explicit StepOutput(solver::StepContext& step) : m_step(step) {}
  void write(int stream, std::string_view data) override { m_step.log(stream, data); }

 private:
  solver::StepContext& m_step;
};

class StepCancel final : public exec::Cancel {
 public:
  explicit StepCancel(const solver::StepContext& step) : m_step(step) {}
  bool requested() const override { return m_step.canceled(); }

 private:
  const solver::StepContext& m_step;
};

}  // namespace

base::Result<ExecStepRunner::Outcome> ExecStepRunner::execute(const ir::Exec& op,
                                                              const std::vector<MountInput>& inputs,
                                                              solver::StepContext& step, bool keep) {
  if (inputs.empty()) return base::make_error("RUN has no root filesystem input");
  TRY_ASSIGN(std::string active_id, m_snapshots.prepare(inputs[0].snapshot));
  snapshotter::ActiveSnapshot active(m_snapshots, active_id);
  Outcome outcome;
  {
    TRY_ASSIGN(auto root, m_snapshots.mount(active.id()));
    base::UniqueFd root_fd(::open(root->path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd.valid())
      return base::make_error("cannot open the step's root " + root->path() + ": " + std::strerror(errno));
    TRY_ASSIGN(ExecUser user, resolve_exec_user_in_root(root_fd.get(), op.user));
    root_fd.reset();
    TRY_ASSIGN(exec::ProcessSpec spec, make_process_spec(op, user, m_settings, root->path()));
    TRY_ASSIGN(content::TmpEntry state, m_tmp.create_dir("run-"));
    spec.state_dir = state.path;
    spec.cgroup_name = std::to_string(::getpid()) + "-" + std::to_string(m_steps.fetch_add(1));
    base::Result<exec::ProcessResult> ran = base::make_error("not run");
    {
      auto mounts = StepMounts::prepare(op, inputs, m_snapshots, m_settings, m_caches, state.path, spec);
      if (!mounts.ok()) {
        (void)content::remove_tree(state.path);
        return mounts.error();
      }
      StepOutput out(step);
      StepCancel cancel(step);
      ran = m_processes.run(spec, out, cancel);
      if (keep && m_settings.shell_on_failure && ran.ok() && !ran->canceled && ran->status() != 0)
        debug_shell(op, spec, cancel);
    }  // mount sources released before the state dir goes
    (void)content::remove_tree(state.path);
    TRY_ASSIGN(outcome.process, std::move(ran));
    outcome.limits = spec.limits;
  }  // unmounted here: overlay needs the upper dir quiet before commit
  if (keep && !outcome.process.canceled && outcome.process.status() == 0) {
    TRY_ASSIGN(outcome.committed, active.commit());
  }
  return outcome;
}

void ExecStepRunner::debug_shell(const ir::Exec& op, const exec::ProcessSpec& failed, const exec::Cancel& cancel) {
  // One terminal: steps failing in parallel take turns.
  std::lock_guard lock(m_shell_mutex);
  exec::ProcessSpec shell = failed;
  shell.argv = {"/bin/sh"};
  shell.interactive = true;
  shell.timeout.reset();
  std::fprintf(stderr,
               "\n--on-failure shell: \"%s\" failed; a shell in its root, as its user, with its env "
               "and mounts. Exit the shell to end the build.\n",
               process_display(op.argv).c_str());
  std::fflush(stderr);
  class Quiet final : public exec::OutputSink {
    void write(int, std::string_view) override {}
  } quiet;
  auto ran = m_processes.run(shell, quiet, cancel);
  if (!ran.ok()) std::fprintf(stderr, "--on-failure shell: %s\n", ran.error().message.c_str());
}

base::Result<std::string> ExecStepRunner::run(const ir::Exec& op, const std::vector<MountInput>& inputs,
                                              solver::StepContext& step) {
  TRY_ASSIGN(Outcome outcome, execute(op, inputs, step, true));
  const exec::ProcessResult& result = outcome.process;
  if (result.canceled) return base::make_error("canceled");
  if (result.oom_killed)
    return base::make_error(exec::describe_failure(result, outcome.limits) + " (process \"" +
                            process_display(op.argv) + "\")");
  if (result.status() != 0)
    return base::make_error("process \"" + process_display(op.argv) + "\" did not complete successfully: " +
                            exec::describe_failure(result, outcome.limits));
  return outcome.committed;
}

base::Result<exec::ProcessResult> ExecStepRunner::run_discarded(const ir::Exec& op,
                                                               const std::vector<MountInput>& inputs,
                                                               solver::StepContext& step) {
  TRY_ASSIGN(Outcome outcome, execute(op, inputs, step, false));
  return outcome.process;
}

}  // namespace solver_ops::exec_step
