#pragma once
// kiln's exit codes (docs/user-guide.md, "Exit codes"): a CI script can tell
// a broken build from a wrong command line from a kiln or storage problem.
namespace cli {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_build_failed = 1;  // the Dockerfile or a step failed
inline constexpr int k_exit_usage = 2;         // bad flags or arguments
inline constexpr int k_exit_internal = 3;      // kiln itself or its store failed
inline constexpr int k_exit_interrupted = 130;  // Ctrl-C or SIGTERM, as shells report SIGINT
// `kiln run` passes the process's own status through and, as docker run,
// uses 125 when kiln could not start it.
inline constexpr int k_exit_run_failed = 125;

}  // namespace cli
