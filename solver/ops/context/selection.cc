// Selection digests and explain_selection_change.

#include <cstdio>

#include "solver/ops/context/selection.h"

namespace solver::ops::context {

namespace {

std::string_view type_name(base::FileType type) {
  switch (type) {
    case base::FileType::regular: return "file";
    case base::FileType::directory: return "directory";
    case base::FileType::symlink: return "symlink";
    case base::FileType::other: return "special file";
  }
  return "unknown";
}

std::string octal_mode(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

// What changed between two entries of the same path; empty when nothing did.
std::string describe_change(const SelectedEntry& a, const SelectedEntry& b) {
  std::vector<std::string> parts;
  if (a.type != b.type) {
    parts.push_back("type changed " + std::string(type_name(a.type)) + " -> " +
                    std::string(type_name(b.type)));
  } else {
    if (a.content != b.content || a.size != b.size) {
      if (a.type == base::FileType::regular) parts.emplace_back("content changed");
    }
    if (a.link_target != b.link_target) {
      parts.push_back("target changed " + a.link_target + " -> " + b.link_target);
    }
  }
  if (a.mode != b.mode) {
    parts.push_back("mode changed " + octal_mode(a.mode) + " -> " + octal_mode(b.mode));
  }
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  if (out.empty() && !(a == b)) out = "metadata changed";
  return out;
}

}  // namespace

bool path_less(std::string_view a, std::string_view b) {
  // The root sorts first; elsewhere '/' sorts before every other byte, so a
  // directory's entries follow it directly ("a", "a/x", "a.b").
  if (a == ".") return b != ".";
  if (b == ".") return false;
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i] == '/') return true;
    if (b[i] == '/') return false;
    return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

base::Digest selection_digest(const std::vector<SelectedEntry>& entries) {
  base::Hasher h(k_selection_schema);
  h.list(entries.size());
  for (const SelectedEntry& e : entries) {
    h.str(e.path);
    h.u64(static_cast<uint64_t>(e.type));
    h.u64(e.mode);
    h.u64(e.size);
    h.str(e.link_target);
    h.str(e.content);  // as its text, "" when none
  }
  return h.finish();
}

std::vector<std::string> explain_selection_change(const Selection& before,
                                                  const Selection& after, size_t limit) {
  std::vector<std::string> lines;
  size_t total = 0;
  auto add = [&](std::string line) {
    ++total;
    if (lines.size() < limit) lines.push_back(std::move(line));
  };
  // Both lists are in path_less order: merge them.
  size_t i = 0;
  size_t j = 0;
  const auto& a = before.entries;
  const auto& b = after.entries;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && path_less(a[i].path, b[j].path))) {
      add(a[i++].path + ": removed");
    } else if (i == a.size() || path_less(b[j].path, a[i].path)) {
      add(b[j++].path + ": added");
    } else {
      std::string change = describe_change(a[i], b[j]);
      if (!change.empty()) add(a[i].path + ": " + change);
      ++i;
      ++j;
    }
  }
  if (total > lines.size()) {
    lines.push_back("... and " + std::to_string(total - lines.size()) + " more");
  }
  return lines;
}

std::unordered_set<std::string> unchanged_files(const Selection& before, const Selection& now) {
  std::unordered_set<std::string> out;
  out.reserve(now.entries.size());
  auto b = before.entries.begin();
  for (const SelectedEntry& e : now.entries) {
    while (b != before.entries.end() && path_less(b->path, e.path)) ++b;
    if (b == before.entries.end()) break;
    if (b->path != e.path) continue;
    if (e.type == base::FileType::regular && b->type == e.type && b->content == e.content &&
        b->size == e.size && b->mode == e.mode) {
      out.insert(e.path);
    }
  }
  return out;
}

}  // namespace solver::ops::context
