// Fuzzes apply_layer with arbitrary bytes as a (possibly compressed) layer.
// Each input is applied into a fresh directory `<tmp>/root`; afterwards
// `<tmp>` must hold nothing but `root`, or the layer escaped and we abort.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "snapshotter/layer/apply.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* tmp = getenv("TMPDIR");
  std::string tmpl = std::string(tmp != nullptr ? tmp : "/tmp") + "/kiln-fuzz-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return 0;
  std::filesystem::path outer(tmpl);
  std::error_code ec;
  std::filesystem::create_directory(outer / "root", ec);

  snapshotter::layer::MemorySource src(
      std::string_view(reinterpret_cast<const char*>(data), size));
  auto result = snapshotter::layer::apply_layer((outer / "root").string(), src);
  (void)result;  // errors are expected; only escapes and crashes are bugs

  size_t outside = 0;
  for (const auto& entry : std::filesystem::directory_iterator(outer, ec))
    if (entry.path().filename() != "root") ++outside;
  std::filesystem::remove_all(outer, ec);
  if (outside != 0) {
    std::fprintf(stderr, "layer wrote outside its root\n");
    abort();
  }
  return 0;
}
