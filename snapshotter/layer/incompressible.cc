#include "snapshotter/layer/incompressible.h"

#include <array>
#include <cmath>
#include <cstdint>

namespace snapshotter::layer {

double byte_entropy(std::string_view bytes) {
  if (bytes.empty()) return 0.0;
  // Four tables break the store-to-load dependency of runs of equal bytes.
  std::array<std::array<uint32_t, 256>, 4> counts{};
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    ++counts[0][p[i]];
    ++counts[1][p[i + 1]];
    ++counts[2][p[i + 2]];
    ++counts[3][p[i + 3]];
  }
  for (; i < n; ++i) ++counts[0][p[i]];
  double total = static_cast<double>(n);
  double entropy = 0.0;
  for (size_t b = 0; b < 256; ++b) {
    uint64_t c = uint64_t{counts[0][b]} + counts[1][b] + counts[2][b] + counts[3][b];
    if (c == 0) continue;
    double share = static_cast<double>(c) / total;
    entropy -= share * std::log2(share);
  }
  return entropy;
}

std::vector<EntropyRun> entropy_runs(std::string_view block) {
  std::vector<EntropyRun> runs;
  for (size_t offset = 0; offset < block.size(); offset += k_entropy_segment_size) {
    std::string_view segment = block.substr(offset, k_entropy_segment_size);
    bool incompressible = segment.size() == k_entropy_segment_size &&
                          byte_entropy(segment) >= k_incompressible_bits_per_byte;
    if (!runs.empty() && runs.back().incompressible == incompressible)
      runs.back().size += segment.size();
    else
      runs.push_back({offset, segment.size(), incompressible});
  }
  return runs;
}

}  // namespace snapshotter::layer
