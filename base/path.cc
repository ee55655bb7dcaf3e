#include "base/path.h"

namespace base {

std::string clean_path(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  const size_t n = path.size();
  std::string out;
  out.reserve(n);
  size_t r = 0;
  size_t dotdot = 0;  // out[:dotdot] cannot be backtracked over
  if (rooted) {
    out.push_back('/');
    r = dotdot = 1;
  }
  while (r < n) {
    if (path[r] == '/') {
      ++r;  // empty element
    } else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
      ++r;  // "." element
    } else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
      r += 2;  // ".." element
      if (out.size() > dotdot) {
        size_t w = out.size() - 1;
        while (w > dotdot && out[w] != '/') --w;
        out.resize(w);
      } else if (!rooted) {
        if (!out.empty()) out.push_back('/');
        out += "..";
        dotdot = out.size();
      }
    } else {
      if ((rooted && out.size() != 1) || (!rooted && !out.empty())) out.push_back('/');
      for (; r < n && path[r] != '/'; ++r) out.push_back(path[r]);
    }
  }
  if (out.empty()) return ".";
  return out;
}

std::string join_path(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return "";
  if (a.empty()) return clean_path(b);
  if (b.empty()) return clean_path(a);
  std::string joined(a);
  joined += '/';
  joined += b;
  return clean_path(joined);
}

std::string base_name(std::string_view path) {
  if (path.empty()) return ".";
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return "/";
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::vector<std::string> split_path(std::string_view path, DotElements dots) {
  std::vector<std::string> elements;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view element = path.substr(start, end - start);
    if (!element.empty() && (element != "." || dots == DotElements::keep)) elements.emplace_back(element);
    start = end + 1;
  }
  return elements;
}

std::string join_elements(const std::vector<std::string>& elements) {
  std::string out;
  for (const std::string& e : elements) {
    if (!out.empty()) out += '/';
    out += e;
  }
  return out;
}

std::optional<std::string> resolve_within_root(std::string_view path) {
  std::vector<std::string> kept;
  for (std::string& e : split_path(path)) {
    if (e != "..") {
      kept.push_back(std::move(e));
    } else if (kept.empty()) {
      return std::nullopt;
    } else {
      kept.pop_back();
    }
  }
  return join_elements(kept);
}

}  // namespace base
