// Selection digests and explain_selection_change.

#include <cstdio>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

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

ContentDigest::ContentDigest(const base::Digest& digest) {
  if (auto raw = digest.sha256_bytes()) {
    m_raw = *raw;
    m_present = true;
  }
}

base::Digest ContentDigest::digest() const {
  return m_present ? base::Digest::from_sha256_bytes(m_raw) : base::Digest();
}

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
  // Blocks are cut by position, never by thread, so the digest is the same
  // whatever the core count; hashing them in parallel takes the digest of a
  // 20,000-file context off a no-op build's serial path.
  const size_t blocks = (entries.size() + k_selection_block - 1) / k_selection_block;
  std::vector<base::Digest> block_digests(blocks);
  auto hash_block = [&](size_t b) {
    base::Hasher h(k_selection_block_schema);
    const size_t end = std::min(entries.size(), (b + 1) * k_selection_block);
    h.list(end - b * k_selection_block);
    for (size_t i = b * k_selection_block; i < end; ++i) {
      const SelectedEntry& e = entries[i];
      h.str(e.path);
      h.u64(static_cast<uint64_t>(e.type));
      h.u64(e.mode);
      h.u64(e.size);
      h.str(e.link_target);
      // The raw bytes; none for entries that are not regular files.
      const auto& raw = e.content.bytes();
      h.bytes(e.content.empty() ? std::string_view()
                                : std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
    }
    block_digests[b] = h.finish();
  };
  if (blocks <= 1) {
    if (blocks == 1) hash_block(0);
  } else {
    // Isolated: a caller holding a lock must not find itself running another
    // step's task while it waits for these.
    tbb::this_task_arena::isolate([&] { tbb::parallel_for(size_t{0}, blocks, hash_block); });
  }
  base::Hasher h(k_selection_schema);
  h.list(entries.size());
  for (const base::Digest& d : block_digests) h.digest(d);
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
