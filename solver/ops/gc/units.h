#pragma once
// Sizes as docker reads and prints them: `--keep-storage 10GB` is parsed like
// docker's memory sizes (binary multiples: 1KB = 1024 bytes, case-insensitive,
// optional "i" and "b": "500m", "1.5GiB"), and sizes are printed like
// `docker system df` (decimal units, four significant digits: "1.235MB").
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace solver::ops::gc {

base::Result<int64_t> parse_size(std::string_view text);
std::string human_size(int64_t bytes);

}  // namespace solver::ops::gc
