#pragma once
// A content-store blob writer as the ByteSink layer compression writes into
// (image export, push compression); close() publishes the blob.
#include <utility>

#include "content/blob_io.h"
#include "snapshotter/layer/stream.h"

namespace solver::ops::build {

class BlobSink final : public snapshotter::layer::ByteSink {
 public:
  explicit BlobSink(content::BlobWriter writer) : m_writer(std::move(writer)) {}
  base::Result<void> write(std::string_view bytes) override { return m_writer.write(bytes); }
  base::Result<void> close() override {
    TRY(m_writer.commit());
    return {};
  }

 private:
  content::BlobWriter m_writer;
};

}  // namespace solver::ops::build
