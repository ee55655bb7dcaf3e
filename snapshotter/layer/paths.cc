#include "snapshotter/layer/paths.h"

#include <vector>

namespace snapshotter::layer {

base::Result<std::string> clean_entry_name(std::string_view name, std::string_view what) {
  auto quoted = [&] { return std::string(what) + " \"" + std::string(name) + "\""; };
  if (name.empty()) return base::make_error(quoted() + " has an empty name");
  if (name.front() == '/') return base::make_error(quoted() + " is an absolute path");
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= name.size()) {
    size_t slash = name.find('/', pos);
    if (slash == std::string_view::npos) slash = name.size();
    std::string_view part = name.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return base::make_error(quoted() + " escapes root");
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

SplitName split_name(const std::string& clean) {
  auto slash = clean.rfind('/');
  if (slash == std::string::npos) return {"", clean};
  return {clean.substr(0, slash), clean.substr(slash + 1)};
}

std::string join_name(std::string_view parent, std::string_view base) {
  if (parent.empty()) return std::string(base);
  std::string out(parent);
  out += '/';
  out += base;
  return out;
}

}  // namespace snapshotter::layer
