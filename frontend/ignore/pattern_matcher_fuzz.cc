// Fuzz target: an ignore file and candidate paths, separated by the first NUL
// byte (paths one per line). Checks invariants rather than just crashes:
//  - every pattern read_ignore_patterns accepts, PatternMatcher accepts;
//  - a path and its cleaned form get the same verdict;
//  - match_in_walk without parent results equals excluded() on clean paths;
//  - on ASCII paths: each pattern's one-search parent form agrees with
//    searching the path and each of its parents separately, and a pattern
//    alone matches exactly when its expression does (the literal checks in
//    front of RE2 never hide a match).
#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/ignore/go_path.h"
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

  std::vector<std::optional<PatternMatcher>> singles;
  for (const auto& c : pm->compiled()) {
    singles.emplace_back();
    if (c.kind != PatternMatcher::Kind::regexp || c.cleaned[0] == '!') continue;
    // "! x" leaves " x", which a second create() trims: not the same pattern.
    auto single = PatternMatcher::create({c.cleaned});
    if (!single.ok() || single->compiled().size() != 1 ||
        single->compiled()[0].regexp_source != c.regexp_source) {
      continue;
    }
    singles.back() = std::move(single).value();
  }

  for (std::string_view path : split_lines(rest)) {
    if (path.size() > 512) continue;
    bool ascii = true;
    for (char ch : path) ascii = ascii && static_cast<unsigned char>(ch) < 0x80;
    const std::string cleaned = clean_path(path);
    const bool verdict = pm->excluded(path);
    require(verdict == pm->excluded(cleaned));
    (void)pm->matches_exact(path);
    if (cleaned != ".") require(pm->match_in_walk(cleaned, {}).excluded == verdict);
    if (verdict) (void)pm->can_skip_excluded_dir(cleaned);
    for (size_t n = 0; n < singles.size(); ++n) {
      const auto& c = pm->compiled()[n];
      if (ascii && singles[n]) require(singles[n]->matches_exact(path) == re2::RE2::PartialMatch(path, *c.regexp));
      // Direct RE2 searches need valid UTF-8 (the matcher repairs other text).
      if (!ascii || c.kind != PatternMatcher::Kind::regexp || !c.regexp_or_parent) continue;
      bool want = re2::RE2::PartialMatch(path, *c.regexp);
      for (size_t i = 0; i < path.size() && !want; ++i) {
        if (path[i] == '/') want = re2::RE2::PartialMatch(path.substr(0, i), *c.regexp);
      }
      require(re2::RE2::PartialMatch(path, *c.regexp_or_parent) == want);
    }
  }
  return 0;
}
