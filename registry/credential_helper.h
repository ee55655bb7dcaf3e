#pragma once
// Docker credential helpers: programs named `docker-credential-<name>` that
// speak a tiny protocol. The action ("get", "store", "erase") is the only
// argument; the input is on stdin (the server URL for get/erase, a JSON object
// for store) and the answer is on stdout (a JSON object for get). A helper that
// has nothing for a server prints "credentials not found in native keychain"
// and exits non-zero.
//
// HelperRunner is the seam that runs the program; SpawnHelperRunner is the real
// one (posix_spawn, no shell). Stateless and thread-safe.

#include <string>
#include <vector>

#include "base/result.h"

namespace registry {

using base::Result;

struct HelperOutput {
  int exit_code = 0;
  std::string out;  // stdout
  std::string err;  // stderr
};

class HelperRunner {
 public:
  virtual ~HelperRunner() = default;
  // Runs `docker-credential-<helper> <action>` with `input` on stdin. Errors
  // only when the program cannot be found or started; a non-zero exit is a
  // normal result for the caller to read.
  virtual Result<HelperOutput> run(const std::string& helper, const std::string& action,
                                   const std::string& input) const = 0;
};

// Finds the program in `search_path` (a $PATH-style list).
class SpawnHelperRunner final : public HelperRunner {
 public:
  explicit SpawnHelperRunner(std::string search_path) : m_search_path(std::move(search_path)) {}
  Result<HelperOutput> run(const std::string& helper, const std::string& action,
                           const std::string& input) const override;

 private:
  std::string m_search_path;
};

// True when a helper's failure output means "no credentials for this server".
bool is_helper_not_found(const HelperOutput& output);

}  // namespace registry
