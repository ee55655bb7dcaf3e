#include "frontend/lower/paths.h"

#include <vector>

namespace frontend::lower {

bool is_abs(std::string_view p) { return !p.empty() && p.front() == '/'; }

std::string clean_path(std::string_view p) {
  if (p.empty()) return ".";
  bool rooted = p.front() == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t slash = p.find('/', i);
    if (slash == std::string_view::npos) slash = p.size();
    std::string_view part = p.substr(i, slash - i);
    if (part.empty() || part == ".") {
    } else if (part == "..") {
      if (!parts.empty() && parts.back() != "..") parts.pop_back();
      else if (!rooted) parts.push_back(part);
    } else {
      parts.push_back(part);
    }
    i = slash + 1;
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '/';
    out += parts[k];
  }
  if (out.empty()) return ".";
  return out;
}

std::string join_path(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return "";
  if (a.empty()) return clean_path(b);
  if (b.empty()) return clean_path(a);
  return clean_path(std::string(a) + "/" + std::string(b));
}

std::string resolve_keep_slash(std::string_view dir, std::string_view p) {
  std::string orig(p);
  if (orig.empty() || orig == ".") orig = "./";
  std::string out = is_abs(orig) ? clean_path(orig) : join_path(dir.empty() ? "/" : dir, orig);
  if (orig.size() >= 2 && orig.compare(orig.size() - 2, 2, "/.") == 0) {
    if (out != "/") out += "/";
    out += ".";
  } else if (orig.back() == '/' && out.back() != '/') {
    out += "/";
  }
  return out;
}

std::string base_name(std::string_view p) {
  if (p.empty()) return ".";
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  if (p == "/") return "/";
  size_t slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

}  // namespace frontend::lower
