// Fuzzes parse_selection, which reads records kept in kiln.db: it must
// reject anything malformed without crashing, and whatever it accepts must
// serialize back to the same bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "solver/ops/context/selection.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = solver::ops::context::parse_selection(input);
  if (parsed.ok() && solver::ops::context::serialize_selection(*parsed) != input) std::abort();
  return 0;
}
