#include "solver/ops/context/copy_request.h"

namespace solver::ops::context {

SelectRequest request_for_copy(const ir::Copy& copy, std::vector<std::string> ignore_patterns) {
  SelectRequest r;
  r.sources = {copy.src};
  r.ignore_patterns = std::move(ignore_patterns);
  r.exclude_patterns = copy.exclude_patterns;
  r.include_patterns = copy.include_patterns;
  r.required_paths = copy.required_paths;
  r.allow_wildcard = copy.allow_wildcard;
  r.allow_empty_wildcard = copy.allow_empty_wildcard;
  r.follow_symlinks = copy.follow_symlinks;
  return r;
}

}  // namespace solver::ops::context
