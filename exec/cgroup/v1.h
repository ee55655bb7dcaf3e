#pragma once
// The cgroup v1 step cgroup: <mount>/<parent>/<name> in each hierarchy a
// limit needs (memory, cpu, pids; co-mounted controllers share one
// directory). Without any limit the pids hierarchy (else memory, else cpu)
// still tracks the step's processes so kill_all() can find them.
#include <memory>
#include <string>

#include "base/result.h"
#include "exec/cgroup/cgroup_fs.h"
#include "exec/cgroup/host.h"
#include "exec/cgroup/plan.h"
#include "exec/cgroup/step_cgroup.h"

namespace exec::cgroup {

base::Result<std::unique_ptr<StepCgroup>> create_v1_step_cgroup(CgroupFs& fs,
                                                                 const CgroupHost& host,
                                                                 const std::string& name,
                                                                 const ResolvedLimits& limits);

}  // namespace exec::cgroup
