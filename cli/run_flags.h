#pragma once
// The flags of `kiln build` that shape RUN steps (resources, network,
// entitlements, secrets, SSH agents), as docker build spells them, turned
// into the settings solver/ops/exec applies to every step.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/result.h"
#include "exec/limits_parse.h"
#include "solver/ops/exec/process_spec.h"

namespace cli {

struct RunFlags {
  exec::LimitFlags limits;
  std::string network;                 // "", "default", "host", "none"
  std::vector<std::string> add_hosts;  // "name:ip" or "name=ip"
  std::vector<std::string> allow;      // entitlements: security.insecure, network.host
  std::vector<std::string> secrets;    // "id=x,src=FILE" | "id=x,env=VAR" | "id=x" (env X or file)
  std::vector<std::string> ssh;        // "default" | "id" | "id=SOCKET"
  std::string on_failure = "error";    // "error" | "shell"
};

void add_run_flags(CLI::App& cmd, RunFlags& flags);

// Checks every value; errors name the flag and the value.
base::Result<solver_ops::exec_step::RunSettings> run_settings(const RunFlags& flags);

}  // namespace cli
