#include "content/gc.h"

namespace content {

Result<GcReport> collect_garbage(MetadataStore& metadata, const ContentStore& blobs) {
  GcReport report;
  TRY_ASSIGN(report.stale_leases, metadata.remove_stale_leases(blobs.tmp()));
  auto sweep = [&](const std::set<std::string>& live) -> Result<void> {
    std::vector<BlobInfo> dead;
    auto mark = [&](const BlobInfo& blob) -> Result<void> {
      if (!live.contains(blob.digest.str())) dead.push_back(blob);
      return {};
    };
    TRY(blobs.walk(mark));
    for (const auto& blob : dead) {
      TRY(with_context(blobs.remove(blob.digest), "garbage collection"));
      report.removed.push_back(blob.digest);
      report.bytes_freed += blob.size;
    }
    return {};
  };
  TRY(metadata.with_write_lock(sweep));
  return report;
}

}  // namespace content
