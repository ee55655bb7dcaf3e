// Fuzz target for the OCI document parsers: any byte string must parse or
// fail cleanly, and whatever parses must survive serialize → parse unchanged
// with identical bytes the second time (canonical form is a fixed point).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "oci/image_config.h"
#include "oci/manifest.h"

namespace {

template <class T, class Parse>
void round_trip(std::string_view input, Parse parse) {
  auto first = parse(input);
  if (!first.ok()) return;
  std::string bytes = oci::serialize(*first);
  auto second = parse(bytes);
  if (!second.ok() || !(*second == *first) || oci::serialize(*second) != bytes) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  round_trip<oci::Manifest>(input, oci::parse_manifest);
  round_trip<oci::Index>(input, oci::parse_index);
  round_trip<oci::ImageConfig>(input, oci::parse_image_config);
  (void)oci::detect_media_type(input);
  return 0;
}
