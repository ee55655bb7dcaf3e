#include "cli/format/image_filter.h"

#include <algorithm>

#include "frontend/ignore/go_path.h"

namespace cli::format {

base::Result<ImageFilter> ImageFilter::parse(
    const std::vector<std::string>& args, const std::function<base::Result<int64_t>(const std::string&)>& created_of) {
  ImageFilter filter;
  for (const std::string& arg : args) {
    const size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0)
      return base::make_error("bad format of filter \"" + arg + "\" (expected name=value)");
    const std::string key = arg.substr(0, eq);
    const std::string value = arg.substr(eq + 1);
    if (key == "dangling") {
      if (value != "true" && value != "false" && value != "1" && value != "0")
        return base::make_error("invalid filter 'dangling=" + value + "': use true or false");
      const bool wanted = value == "true" || value == "1";
      if (filter.m_dangling && *filter.m_dangling != wanted)
        return base::make_error("invalid filter: dangling=true and dangling=false together");
      filter.m_dangling = wanted;
    } else if (key == "label") {
      const size_t label_eq = value.find('=');
      if (label_eq == std::string::npos) filter.m_labels.emplace_back(value, std::nullopt);
      else filter.m_labels.emplace_back(value.substr(0, label_eq), value.substr(label_eq + 1));
    } else if (key == "reference") {
      TRY(frontend::ignore::match_path(value, ""));  // a malformed pattern is refused here
      filter.m_references.push_back(value);
    } else if (key == "before" || key == "since") {
      auto created = created_of(value);
      if (!created.ok()) return base::make_error("invalid filter '" + arg + "': " + created.error().message);
      std::optional<int64_t>& bound = key == "before" ? filter.m_before : filter.m_since;
      bound = bound ? (key == "before" ? std::min(*bound, *created) : std::max(*bound, *created)) : *created;
    } else {
      return base::make_error("invalid filter '" + key +
                              "': kiln images filters by dangling, label, reference, before and since");
    }
  }
  return filter;
}

base::Result<bool> ImageFilter::matches(const ImageRowFacts& row) const {
  if (m_dangling && row.dangling != *m_dangling) return false;
  for (const auto& [key, value] : m_labels) {
    auto it = row.labels.find(key);
    if (it == row.labels.end() || (value && it->second != *value)) return false;
  }
  if (!m_references.empty()) {
    if (row.dangling) return false;
    bool any = false;
    for (const std::string& pattern : m_references) {
      // docker's FamiliarMatch: the whole familiar reference, then the name alone.
      TRY_ASSIGN(bool whole, frontend::ignore::match_path(pattern, row.reference));
      TRY_ASSIGN(bool name, frontend::ignore::match_path(pattern, row.repository));
      any = any || whole || name;
    }
    if (!any) return false;
  }
  if (m_before && row.created_ns >= *m_before) return false;
  if (m_since && row.created_ns <= *m_since) return false;
  return true;
}

}  // namespace cli::format
