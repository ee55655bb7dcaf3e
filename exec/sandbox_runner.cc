// The real ProcessRunner: exec/sandbox's namespaces and mounts, with the
// step's cgroup (exec/cgroup) and the capability and seccomp hooks
// (exec/security) plugged in.
#include <unistd.h>

#include "exec/cgroup/cgroup_fs.h"
#include "exec/cgroup/factory.h"
#include "exec/cgroup/host.h"
#include "exec/runner.h"
#include "exec/sandbox/sandbox.h"
#include "exec/security/capabilities.h"
#include "exec/security/seccomp.h"
#include "exec/security/step_security.h"

namespace exec {
namespace {

class SandboxRunner final : public ProcessRunner {
 public:
  SandboxRunner(cgroup::CgroupFs& fs, cgroup::CgroupHost host, security::SeccompFilter filter)
      : m_fs(fs), m_host(std::move(host)), m_filter(std::move(filter)) {}

  base::Result<ProcessResult> run(const ProcessSpec& spec, OutputSink& out, const Cancel& cancel) override {
    std::unique_ptr<StepCgroup> group;
    // A cgroup costs a few mkdirs and rmdirs per step; steps without limits
    // do without (the PID namespace already guarantees no process survives).
    if (spec.limits.any_cgroup_limit()) {
      auto created = cgroup::create_step_cgroup(m_fs, m_host, spec.cgroup_name, spec.limits);
      if (!created.ok()) return base::with_context(std::move(created), "cannot apply the step's limits").error();
      group = std::move(created).value();
    }
    SandboxHooks hooks;
    hooks.cgroup = group.get();
    const security::StepSecurity security{spec.privileged, spec.uid, spec.privileged ? nullptr : &m_filter};
    hooks.before_user_switch = [&security] { return security::before_user_switch(security); };
    hooks.after_user_switch = [&security] { return security::after_user_switch(security); };
    return run_sandboxed(spec, hooks, out, cancel);
  }

 private:
  cgroup::CgroupFs& m_fs;
  cgroup::CgroupHost m_host;
  security::SeccompFilter m_filter;  // built once; loading it is read-only
};

}  // namespace

base::Result<std::unique_ptr<ProcessRunner>> open_sandbox_runner() {
  if (::geteuid() != 0)
    return base::make_error("RUN steps need root: kiln runs them in new namespaces on overlay mounts "
                            "(run kiln as root, e.g. with sudo)");
  cgroup::CgroupFs& fs = cgroup::real_cgroup_fs();
  TRY_ASSIGN(cgroup::CgroupHost host, cgroup::detect_cgroup_host(fs));
  TRY_ASSIGN(security::SeccompFilter filter, security::SeccompFilter::docker_default());
  return std::unique_ptr<ProcessRunner>(new SandboxRunner(fs, std::move(host), std::move(filter)));
}

}  // namespace exec
