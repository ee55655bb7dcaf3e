#pragma once
// Shared fixtures of the layer tests: reading a tar back, applying one, and a
// sample tree with every kind of entry. Test-only (uses GoogleTest assertions).

#include <cstdint>
#include <string>
#include <vector>

namespace snapshotter::layer::testing {

struct TarLine {
  std::string name;
  int64_t mtime = 0;
  std::string hardlink;
};

// The entries of a tar stream, in order (directories end in "/").
std::vector<TarLine> entries_of(const std::string& tar);
std::vector<std::string> names_of(const std::string& tar);

// Applies `tar` onto `root`, failing the current test on error.
void apply_ok(const std::string& root, const std::string& tar);

// A tree with every kind of entry a layer carries. Every directory is listed,
// so that no mtime depends on when the tree was made.
void make_sample_tree(const std::string& root);

}  // namespace snapshotter::layer::testing
