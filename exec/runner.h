#pragma once
// ProcessRunner: what the build sees of exec. The sandbox runner puts every
// piece of exec/ together (namespaces and mounts from sandbox/, limits from
// cgroup/, capabilities and seccomp from security/); tests of the layers
// above hand in a fake that runs nothing.
#include <memory>

#include "base/result.h"
#include "exec/spec.h"

namespace exec {

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  virtual base::Result<ProcessResult> run(const ProcessSpec& spec, OutputSink& out,
                                          const Cancel& cancel) = 0;
};

// The real sandbox. Detects the host's cgroup version once and builds the
// seccomp filter once; thread-safe, so parallel stages share one runner.
// Fails when kiln lacks what a sandbox needs (root), naming what is missing.
base::Result<std::unique_ptr<ProcessRunner>> open_sandbox_runner();

// What a failed process looks like to a user: "exit code: 2",
// "killed by signal 9", "RUN killed: out of memory (limit 512 MiB)", ...
std::string describe_failure(const ProcessResult& result, const Limits& limits);

}  // namespace exec
