#pragma once
// A content-store blob as the layer exporter and push compression write it.
// Both hash the bytes on their way (a layer's diffID, a compressed stream's
// digest) and name the digest when they commit: the writer is opened with
// digest_from_caller and does not hash the same bytes again.
#include <memory>
#include <utility>

#include "content/blob_io.h"
#include "content/content_store.h"
#include "snapshotter/layer/export.h"

namespace solver::ops::build {

class BlobSink final : public snapshotter::layer::BlobOutput {
 public:
  static base::Result<std::unique_ptr<BlobSink>> open(const content::ContentStore& blobs) {
    content::WriterOptions options;
    options.digest_from_caller = true;
    options.write_behind = true;  // the writes overlap making the next bytes
    TRY_ASSIGN(content::BlobWriter writer, blobs.writer(std::move(options)));
    return std::unique_ptr<BlobSink>(new BlobSink(std::move(writer)));
  }

  base::Result<void> write(std::string_view bytes) override { return m_writer.write(bytes); }
  base::Result<void> commit(const base::Digest& digest) override {
    TRY(m_writer.commit(digest));
    return {};
  }

 private:
  explicit BlobSink(content::BlobWriter writer) : m_writer(std::move(writer)) {}
  content::BlobWriter m_writer;
};

}  // namespace solver::ops::build
