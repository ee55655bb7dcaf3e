#pragma once
// The entry point of exec/cgroup for a runner:
//
//   CgroupFs& fs = real_cgroup_fs();
//   TRY_ASSIGN(CgroupHost host, detect_cgroup_host(fs));        // once per process
//   TRY_ASSIGN(Limits limits, parse_limit_flags(flags, usable_cpus()));  // the CLI
//   ...
//   TRY_ASSIGN(auto cg, create_step_cgroup(fs, host, spec.cgroup_name, spec.limits));
//   for (auto& w : cg->warnings()) print a warning;
//   cg->add_process(0);                  // in the child, before it execs
//   ... wait for the child ...
//   cg->kill_all();                      // leave nothing behind
//   TRY_ASSIGN(CgroupOutcome o, cg->outcome());
//   cg.reset();                          // removes the cgroup directories
#include <memory>
#include <string>

#include "base/result.h"
#include "exec/cgroup/cgroup_fs.h"
#include "exec/cgroup/host.h"
#include "exec/cgroup/step_cgroup.h"
#include "exec/spec.h"

namespace exec::cgroup {

// Creates the step's cgroup under the host's version with `limits` applied
// (docker's validation first, with the host's CPU count). Limits a host
// cannot enforce are dropped with a warning (StepCgroup::warnings), as docker
// does, except --cpus without CFS, which is an error. On a host without
// cgroups a step without limits gets a cgroup that does nothing; with limits
// it is an error. `fs` must outlive the returned object, which belongs to
// one step and is not synchronised (one thread at a time); different steps'
// cgroups may be created and used concurrently.
// The CPUs this process may run on (its affinity mask), as docker's
// sysinfo.NumCPU counts them: the bound for --cpus in exec::parse_limit_flags.
unsigned usable_cpus();

base::Result<std::unique_ptr<StepCgroup>> create_step_cgroup(CgroupFs& fs, const CgroupHost& host,
                                                             const std::string& name,
                                                             const Limits& limits);

}  // namespace exec::cgroup
