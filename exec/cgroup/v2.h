#pragma once
// The cgroup v2 (unified) step cgroup: <root>/<parent>/<name>, with the
// needed controllers enabled in cgroup.subtree_control of the root and of
// every level of <parent>. Those levels never hold processes, so the
// no-internal-processes rule holds; a root that is not the real root (a
// cgroup namespace) and has processes of its own refuses the delegation,
// which is reported with a hint.
#include <memory>
#include <string>

#include "base/result.h"
#include "exec/cgroup/cgroup_fs.h"
#include "exec/cgroup/host.h"
#include "exec/cgroup/plan.h"
#include "exec/cgroup/step_cgroup.h"

namespace exec::cgroup {

base::Result<std::unique_ptr<StepCgroup>> create_v2_step_cgroup(CgroupFs& fs,
                                                                 const CgroupHost& host,
                                                                 const std::string& name,
                                                                 const ResolvedLimits& limits);

}  // namespace exec::cgroup
