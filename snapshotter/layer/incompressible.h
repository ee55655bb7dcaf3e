#pragma once
// A cheap test for data that deflate cannot shrink (already compressed or
// encrypted files, random bytes), so that such stretches of a gzip block are
// stored instead of running the match finder over them: at level 6 libdeflate
// spends as long on a random MiB as on text and saves nothing (output/input
// 1.0001).

#include <cstddef>
#include <string_view>
#include <vector>

namespace snapshotter::layer {

// Segments of this size are judged separately.
inline constexpr size_t k_entropy_segment_size = size_t{64} << 10;

// Order-0 entropy (bits per byte) of a segment at or above this is treated as
// incompressible: Huffman coding could save at most (8 - H) / 8 = 0.125 % of it.
inline constexpr double k_incompressible_bits_per_byte = 7.99;

// A stretch of a block judged as a whole: [offset, offset + size).
struct EntropyRun {
  size_t offset = 0;
  size_t size = 0;
  bool incompressible = false;
};

// Cuts `block` into maximal runs of segments that look random (order-0
// entropy of at least k_incompressible_bits_per_byte) and runs that do not;
// a segment shorter than a full one always counts as compressible. The runs
// cover the block in order. The answer depends only on the bytes, so output
// stays reproducible. It cannot see repeats (a random 1 KiB record written
// twice looks random byte by byte); such data costs at most the matches
// deflate would have found.
std::vector<EntropyRun> entropy_runs(std::string_view block);

// Order-0 entropy of `bytes` in bits per byte (0 for empty input).
double byte_entropy(std::string_view bytes);

}  // namespace snapshotter::layer
