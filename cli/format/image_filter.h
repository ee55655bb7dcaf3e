#pragma once
// `kiln images --filter`, as docker images reads it: dangling=true|false,
// label=KEY or label=KEY=VALUE, reference=PATTERN (path.Match on the familiar
// name, with or without its tag), before=IMAGE and since=IMAGE (created
// before / after that image). Several reference= patterns are alternatives,
// several label= filters must all hold, and different keys must all hold.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace cli::format {

// What a filter looks at in one listed image.
struct ImageRowFacts {
  std::string repository;  // familiar ("app", "example.com/team/app"), "<none>" when dangling
  std::string tag;         // "latest", or "<none>"
  std::string reference;   // the familiar name as a whole: "app:latest", "app@sha256:…"
  bool dangling = false;
  int64_t created_ns = 0;
  std::map<std::string, std::string> labels;
};

class ImageFilter {
 public:
  // `created_of` gives the creation time of the image a before=/since=
  // filter names, or an error when there is no such image.
  static base::Result<ImageFilter> parse(const std::vector<std::string>& args,
                                         const std::function<base::Result<int64_t>(const std::string&)>& created_of);
  // Errors only for a reference pattern that is not a valid path.Match pattern.
  base::Result<bool> matches(const ImageRowFacts& row) const;

 private:
  std::optional<bool> m_dangling;
  std::vector<std::pair<std::string, std::optional<std::string>>> m_labels;
  std::vector<std::string> m_references;
  std::optional<int64_t> m_before;
  std::optional<int64_t> m_since;
};

}  // namespace cli::format
