#pragma once
// Lease: what a running build holds so that garbage collection keeps the blobs
// it is working with before any image or cache record names them. A lease is
// a row in kiln.db plus a claimed entry in tmp/ (see TmpDir): the claim is an
// flock, so it ends when the process ends, however it ends, and the next
// garbage collection drops the lease row of a dead process.
//
// Made by MetadataStore::create_lease; must not outlive that store. Use it as
// the PublishGuard of blob writers. Not thread-safe; move-only.

#include <string>

#include "base/digest.h"
#include "base/result.h"
#include "content/blob_io.h"
#include "content/tmp_dir.h"

namespace content {

class MetadataStore;

class Lease final : public PublishGuard {
 public:
  Lease(MetadataStore* store, TmpEntry claim) : m_store(store), m_claim(std::move(claim)) {}
  ~Lease() override;
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;

  // Keeps `digest` alive for as long as the lease lives (the blob need not exist yet).
  Result<void> protect(const base::Digest& digest) override;
  // Ends the lease: its blobs are no longer kept alive by it.
  Result<void> release();
  const std::string& id() const { return m_claim.name; }

 private:
  MetadataStore* m_store;  // null once released or moved from
  TmpEntry m_claim;
};

}  // namespace content
