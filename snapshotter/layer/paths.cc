#include "snapshotter/layer/paths.h"

#include <optional>

#include "base/path.h"

namespace snapshotter::layer {

base::Result<std::string> clean_entry_name(std::string_view name, std::string_view what) {
  auto quoted = [&] { return std::string(what) + " \"" + std::string(name) + "\""; };
  if (name.empty()) return base::make_error(quoted() + " has an empty name");
  if (name.front() == '/') return base::make_error(quoted() + " is an absolute path");
  std::optional<std::string> clean = base::resolve_within_root(name);
  if (!clean) return base::make_error(quoted() + " escapes root");
  return *std::move(clean);
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
