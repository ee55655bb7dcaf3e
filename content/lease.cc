#include "content/lease.h"

#include <unistd.h>

#include <mutex>

#include "content/file_ops.h"
#include "content/metadata.h"
#include "content/metadata_impl.h"

namespace content {

using sql::Transaction;

namespace {
constexpr std::string_view k_lease_prefix = "lease-";
}

Lease::Lease(Lease&& other) noexcept
    : m_store(std::exchange(other.m_store, nullptr)), m_claim(std::move(other.m_claim)) {}

Lease::~Lease() {
  // A failed release is not lost: the claim ends with our fd, and the next
  // garbage collection removes the row.
  if (m_store) (void)release();
}

Result<void> Lease::protect(const base::Digest& digest) {
  if (!m_store) return base::make_error("lease " + id() + " was already released");
  return m_store->add_lease_blob(id(), digest);
}

Result<void> Lease::release() {
  MetadataStore* store = std::exchange(m_store, nullptr);
  if (!store) return {};
  // Row first, then the claim: a lease row must never exist without a live
  // claim unless its holder died.
  auto r = store->delete_lease(id());
  (void)remove_file(m_claim.path);
  m_claim.fd.reset();
  return r;
}

Result<Lease> MetadataStore::create_lease(const TmpDir& tmp) {
  // Claim before the row exists, so that no one can see the row unclaimed.
  TRY_ASSIGN(auto claim, tmp.create_file(k_lease_prefix));
  {
    std::lock_guard lock(m_impl->mutex);
    auto r = m_impl->db.run("INSERT INTO leases (id, created, pid) VALUES (?1, ?2, ?3)", claim.name,
                            m_impl->clock->now_unix_nanos(), static_cast<int64_t>(::getpid()));
    if (!r) {
      (void)remove_file(claim.path);
      return with_context(std::move(r), "creating lease").error();
    }
  }
  return Lease(this, std::move(claim));
}

Result<void> MetadataStore::add_lease_blob(const std::string& lease, const base::Digest& digest) {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->db.run("INSERT OR IGNORE INTO lease_blobs (lease, digest) VALUES (?1, ?2)", lease,
                        digest.str());
}

Result<void> MetadataStore::delete_lease(const std::string& lease) {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->db.run("DELETE FROM leases WHERE id = ?1", lease);
}

Result<std::vector<std::string>> MetadataStore::remove_stale_leases(const TmpDir& tmp) {
  std::lock_guard lock(m_impl->mutex);
  auto& db = m_impl->db;
  TRY_ASSIGN(auto tx, Transaction::begin(db, Transaction::Kind::write));
  TRY_ASSIGN(auto q, db.prepare("SELECT id FROM leases ORDER BY id"));
  std::vector<std::string> ids;
  for (;;) {
    TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    ids.push_back(q.text(0));
  }
  std::vector<std::string> stale;
  for (const auto& id : ids) {
    // Ids are names we made; anything else cannot be a claim file of ours.
    bool well_formed = id.starts_with(k_lease_prefix) && id.find('/') == std::string::npos;
    if (well_formed) {
      TRY_ASSIGN(bool claimed, tmp.is_claimed(id));
      if (claimed) continue;
    }
    TRY(db.run("DELETE FROM leases WHERE id = ?1", id));
    stale.push_back(id);
  }
  TRY(tx.commit());
  // The claim files are unclaimed, so removing them races with nobody but
  // TmpDir::clean, which removes the same files.
  for (const auto& id : stale)
    if (id.starts_with(k_lease_prefix) && id.find('/') == std::string::npos)
      (void)remove_file(tmp.dir() + "/" + id);
  return stale;
}

}  // namespace content
