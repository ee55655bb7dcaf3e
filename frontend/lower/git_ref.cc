#include "frontend/lower/git_ref.h"

#include <cctype>
#include <vector>

namespace frontend::lower {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::optional<bool> parse_bool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
  return std::nullopt;
}

// "user@host:path" with user [A-Za-z0-9-_]+ and host [A-Za-z0-9-.]+.
bool is_scp_like(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  for (char c : s.substr(0, at))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  size_t colon = s.find(':', at + 1);
  if (colon == std::string_view::npos || colon == at + 1) return false;
  for (char c : s.substr(at + 1, colon - at - 1))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  return true;
}

base::Result<void> apply_query(GitRef& g, std::string_view query) {
  std::string tag, branch;
  std::vector<std::string> seen;
  size_t i = 0;
  while (i < query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view kv = query.substr(i, amp - i);
    i = amp + 1;
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    std::string key(kv.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1));
    for (const auto& k : seen)
      if (k == key) return base::make_error("query \"" + key + "\" has multiple values");
    seen.push_back(key);
    if (value.empty() && key != "submodules" && key != "keep-git-dir")
      return base::make_error("query \"" + key + "\" has no value");
    if (key == "ref") {
      if (!g.ref.empty() && g.ref != value)
        return base::make_error("ref conflicts: \"" + g.ref + "\" vs \"" + value + "\"");
      g.ref = value;
    } else if (key == "tag") {
      tag = value;
    } else if (key == "branch") {
      branch = value;
    } else if (key == "subdir") {
      if (!g.subdir.empty() && g.subdir != value)
        return base::make_error("subdir conflicts: \"" + g.subdir + "\" vs \"" + value + "\"");
      g.subdir = value;
    } else if (key == "checksum" || key == "commit") {
      g.checksum = value;
    } else if (key == "keep-git-dir" || key == "submodules") {
      std::optional<bool> b = value.empty() ? std::optional<bool>(true) : parse_bool(value);
      if (!b) return base::make_error("invalid " + key + " value: \"" + value + "\"");
      (key == "keep-git-dir" ? g.keep_git_dir : g.submodules) = *b;
    } else {
      return base::make_error("unexpected query \"" + key + "\"");
    }
  }
  if (!tag.empty()) {
    if (!starts_with(tag, "refs/tags/")) tag = "refs/tags/" + tag;
    if (!g.ref.empty() && g.ref != tag)
      return base::make_error("ref conflicts: \"" + g.ref + "\" vs \"" + tag + "\"");
    g.ref = tag;
  }
  if (!branch.empty()) {
    if (!tag.empty()) return base::make_error("branch conflicts with tag");
    if (!starts_with(branch, "refs/heads/")) branch = "refs/heads/" + branch;
    if (!g.ref.empty() && g.ref != branch)
      return base::make_error("ref conflicts: \"" + g.ref + "\" vs \"" + branch + "\"");
    g.ref = branch;
  }
  if (!g.checksum.empty() && g.ref.empty()) g.ref = g.checksum;
  return {};
}

}  // namespace

base::Result<std::optional<GitRef>> parse_git_ref(std::string_view src) {
  if (starts_with(src, "./") || starts_with(src, "../") || starts_with(src, "github.com/"))
    return std::optional<GitRef>();
  std::string_view rest = src;
  std::string_view fragment;
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  std::string_view query;
  bool url_form = false;
  if (size_t scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
    std::string_view scheme = rest.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https" && scheme != "git" && scheme != "ssh")
      return std::optional<GitRef>();
    url_form = true;
    if (size_t q = rest.find('?'); q != std::string_view::npos) {
      query = rest.substr(q + 1);
      rest = rest.substr(0, q);
    }
    if (scheme == "http" || scheme == "https") {
      std::string_view after = rest.substr(scheme_end + 3);
      size_t slash = after.find('/');
      std::string_view path = slash == std::string_view::npos ? std::string_view() : after.substr(slash);
      if (path.size() < 4 || path.substr(path.size() - 4) != ".git") return std::optional<GitRef>();
    }
  } else if (!is_scp_like(rest)) {
    return std::optional<GitRef>();
  }
  GitRef g;
  g.remote = std::string(rest);
  if (!fragment.empty()) {
    size_t colon = fragment.find(':');
    g.ref = std::string(fragment.substr(0, colon));
    if (colon != std::string_view::npos) g.subdir = std::string(fragment.substr(colon + 1));
  }
  if (url_form && !query.empty()) TRY(apply_query(g, query));
  return std::optional<GitRef>(std::move(g));
}

bool is_http_source(std::string_view src) {
  if (!starts_with(src, "http://") && !starts_with(src, "https://")) return false;
  auto git = parse_git_ref(src);
  return !(git.ok() && git->has_value());
}

}  // namespace frontend::lower
