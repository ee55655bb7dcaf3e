#include "exec/cgroup/factory.h"

#include <sched.h>
#include <unistd.h>

#include "exec/cgroup/plan.h"
#include "exec/cgroup/procs.h"
#include "exec/cgroup/v1.h"
#include "exec/cgroup/v2.h"
#include "exec/limits_parse.h"

namespace exec::cgroup {
namespace {

class NoCgroup final : public StepCgroup {
 public:
  base::Result<void> add_process(int) override { return {}; }
  base::Result<void> kill_all() override { return {}; }
  base::Result<CgroupOutcome> outcome() override { return CgroupOutcome{}; }
};

}  // namespace

unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<unsigned>(n) : 1;
}

base::Result<std::unique_ptr<StepCgroup>> create_step_cgroup(CgroupFs& fs, const CgroupHost& host,
                                                             const std::string& name,
                                                             const Limits& limits) {
  TRY(check_step_name(name));
  TRY(validate_limits(limits, usable_cpus()));
  ResolvedLimits resolved = resolve_limits(limits);
  switch (host.version) {
    case CgroupVersion::v2: return create_v2_step_cgroup(fs, host, name, resolved);
    case CgroupVersion::v1: return create_v1_step_cgroup(fs, host, name, resolved);
    case CgroupVersion::none: break;
  }
  if (!needed_controllers(resolved).empty()) {
    base::Error e = base::make_error("resource limits need cgroups, and none are mounted");
    e.hint = "mount cgroup2 at /sys/fs/cgroup, or build without --memory, --cpus, --pids-limit";
    return e;
  }
  return std::unique_ptr<StepCgroup>(std::make_unique<NoCgroup>());
}

}  // namespace exec::cgroup
