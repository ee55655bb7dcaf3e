#include "frontend/lower/paths.h"

namespace frontend::lower {

std::string resolve_keep_slash(std::string_view dir, std::string_view p) {
  std::string orig(p);
  if (orig.empty() || orig == ".") orig = "./";
  std::string out = is_abs_path(orig) ? clean_path(orig) : join_path(dir.empty() ? "/" : dir, orig);
  if (orig.size() >= 2 && orig.compare(orig.size() - 2, 2, "/.") == 0) {
    if (out != "/") out += "/";
    out += ".";
  } else if (orig.back() == '/' && out.back() != '/') {
    out += "/";
  }
  return out;
}

}  // namespace frontend::lower
