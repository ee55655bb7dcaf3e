#include "snapshotter/layer/export.h"

#include <gtest/gtest.h>

#include "snapshotter/layer/diff.h"
#include "snapshotter/layer/testing/fixtures.h"
#include "snapshotter/layer/testing/temp_dir.h"

namespace snapshotter::layer {
namespace {

// Forwards to a StringSink the test keeps, which the exporter's digest at
// commit must describe.
class ForwardSink final : public BlobOutput {
 public:
  explicit ForwardSink(StringSink& to) : m_to(to) {}
  base::Result<void> write(std::string_view b) override { return m_to.write(b); }
  base::Result<void> commit(const base::Digest& digest) override {
    EXPECT_EQ(digest, base::Sha256::of(m_to.data()));
    return {};
  }

 private:
  StringSink& m_to;
};

struct Counts {
  int diffs = 0;
  int opens = 0;
};

ExportRequest request_for(const std::string& dir, Compression kind, int level, unsigned threads,
                          Counts& counts, StringSink& blob) {
  ExportRequest r;
  r.snapshot = "snap-1";
  r.compression = {kind, level, threads};
  r.write_diff = [&counts, dir](ByteSink& sink) {
    ++counts.diffs;
    return write_tree_diff("", dir, sink);
  };
  r.open_blob = [&counts, &blob]() -> base::Result<std::unique_ptr<BlobOutput>> {
    ++counts.opens;
    return std::unique_ptr<BlobOutput>(std::make_unique<ForwardSink>(blob));
  };
  return r;
}

TEST(LayerExport, CompressesAnUnchangedSnapshotOnlyOnce) {
  testing::TempDir dir;
  testing::make_sample_tree(dir.path());
  MemoryLayerRecords records;
  Counts counts;
  StringSink blob;
  auto first = export_layer(request_for(dir.path(), Compression::gzip, -1, 2, counts, blob), records);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->reused);
  EXPECT_EQ(first->blob.digest, base::Sha256::of(blob.data()));
  EXPECT_EQ(first->blob.size, blob.data().size());

  // Another thread count makes the same bytes, and -1 is level 5: reused,
  // nothing diffed or written.
  StringSink unused;
  auto again = export_layer(request_for(dir.path(), Compression::gzip, 5, 1, counts, unused), records);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->reused);
  EXPECT_EQ(again->blob.digest, first->blob.digest);
  EXPECT_EQ(again->blob.diff_id, first->blob.diff_id);
  EXPECT_EQ(counts.diffs, 1);
  EXPECT_EQ(counts.opens, 1);
  EXPECT_TRUE(unused.data().empty());

  // zstd is another blob of the same diff.
  StringSink zst;
  auto z = export_layer(request_for(dir.path(), Compression::zstd, 3, 2, counts, zst), records);
  ASSERT_TRUE(z.ok());
  EXPECT_FALSE(z->reused);
  EXPECT_EQ(z->blob.diff_id, first->blob.diff_id);
  EXPECT_NE(z->blob.digest, first->blob.digest);
  EXPECT_EQ(counts.diffs, 2);

  // Forgotten (say the blob was pruned): the next export makes it again, identically.
  ASSERT_TRUE(records.forget("snap-1").ok());
  StringSink remade;
  auto third = export_layer(request_for(dir.path(), Compression::gzip, -1, 2, counts, remade), records);
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->reused);
  EXPECT_EQ(third->blob.digest, first->blob.digest);
  EXPECT_EQ(remade.data(), blob.data());
}

TEST(LayerExport, RecordsNothingWhenTheDiffFails) {
  MemoryLayerRecords records;
  Counts counts;
  StringSink blob;
  auto r = export_layer(request_for("/nonexistent/kiln", Compression::gzip, -1, 1, counts, blob),
                        records);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().message.starts_with("exporting layer of snapshot snap-1: ")) << r.error().message;
  EXPECT_FALSE(records.find("snap-1", Compression::gzip, 6).has_value());
}

}  // namespace
}  // namespace snapshotter::layer
