// Fuzz target: an ignore file and candidate paths, separated by the first NUL
// byte (paths one per line). Checks invariants rather than just crashes:
//  - every pattern read_ignore_patterns accepts, PatternMatcher accepts;
//  - a path and its cleaned form get the same verdict;
//  - match_in_walk without parent results equals excluded() on clean paths;
//  - every pattern's DFA agrees with plain NFA simulation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/ignore/go_path.h"
#include "frontend/ignore/go_regexp.h"
#include "frontend/ignore/ignore_file.h"
#include "frontend/ignore/pattern_matcher.h"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace frontend::ignore;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view file = input.substr(0, nul);
  const std::string_view rest = nul == std::string_view::npos ? std::string_view{} : input.substr(nul + 1);
  if (file.size() > 4096) return 0;

  auto patterns = read_ignore_patterns(file, ".dockerignore");
  if (!patterns.ok()) {
    // The raw lines may still form a matcher or fail; either is fine.
    std::vector<std::string> raw;
    for (auto line : split_lines(file)) raw.emplace_back(line);
    (void)PatternMatcher::create(raw);
    return 0;
  }
  auto pm = PatternMatcher::create(*patterns);
  require(pm.ok());

  std::vector<GoRegexp> nfas;
  for (const auto& c : pm->compiled()) {
    if (c.kind != PatternMatcher::Kind::regexp) continue;
    auto nfa = GoRegexp::compile(c.regexp_source, GoRegexp::Engine::nfa);
    require(nfa.ok());
    nfas.push_back(std::move(nfa).value());
  }

  for (std::string_view path : split_lines(rest)) {
    if (path.size() > 512) continue;
    const std::string cleaned = clean_path(path);
    const bool verdict = pm->excluded(path);
    require(verdict == pm->excluded(cleaned));
    (void)pm->matches_exact(path);
    if (cleaned != ".") require(pm->match_in_walk(cleaned, {}).excluded == verdict);
    if (verdict) (void)pm->can_skip_excluded_dir(cleaned);
    size_t n = 0;
    for (const auto& c : pm->compiled()) {
      if (c.kind != PatternMatcher::Kind::regexp) continue;
      for (auto mode : {GoRegexp::Prefixes::no, GoRegexp::Prefixes::at_slashes}) {
        require(c.regexp->matches(path, mode) == nfas[n].matches(path, mode));
      }
      ++n;
    }
  }
  return 0;
}
