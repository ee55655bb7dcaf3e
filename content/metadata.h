#pragma once
// MetadataStore: kiln.db, the SQLite database beside the blobs. It records
// image names (name → manifest or index descriptor), cache records (key →
// an opaque value owned by the solver), leases of running builds, and for each
// of these the blobs it keeps alive; garbage collection deletes exactly the
// blobs no row names. Schema and migrations: content/schema.h.
//
// Every public call is one transaction. Writes take the database write lock
// at BEGIN, so concurrent kiln processes serialize their writes (waiting up
// to the busy timeout) and never see each other's partial changes; a process
// killed mid-transaction leaves the last committed state (WAL rollback).
// Thread-safe: calls are serialized on an internal mutex, so callbacks run
// inside a call (`check`, `with_write_lock`'s function) must not call the same
// store. Do not share one across fork(); a child process opens its own.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/digest.h"
#include "base/result.h"
#include "content/lease.h"
#include "content/sqlite.h"
#include "content/tmp_dir.h"
#include "oci/descriptor.h"

namespace content {

struct ImageRecord {
  std::string name;
  oci::Descriptor target;  // media_type, digest and size only
  int64_t created = 0;     // Unix nanoseconds, from the store's Clock
  int64_t last_used = 0;
};

struct CacheRecord {
  std::string key;
  std::string value;
  int64_t created = 0;
  int64_t last_used = 0;
};

enum class RefOwner { image, cache, lease };
std::string_view to_string(RefOwner owner);

// One row of an *_blobs table: `owner` keeps `digest` alive.
struct BlobRef {
  RefOwner kind = RefOwner::image;
  std::string owner;
  std::string digest;  // as stored; fsck reports rows that do not parse
};

class MetadataStore {
 public:
  // Opens `<root>/kiln.db`, creating and migrating it as needed. `clock` must
  // outlive the store.
  // `durability` (content/sqlite.h): on_request for a command that commits
  // many times and calls make_durable() before it reports success.
  static Result<MetadataStore> open(const std::string& root, const base::Clock& clock,
                                    sql::Durability durability = sql::Durability::each_commit);
  // Puts every change committed so far on the disk (sql::Db::make_durable).
  Result<void> make_durable();
  ~MetadataStore();
  MetadataStore(MetadataStore&&) noexcept;
  MetadataStore& operator=(MetadataStore&&) noexcept;

  // Points `name` at `target`, replacing the blobs an earlier image of that
  // name kept alive with `blobs` (which should include target.digest).
  // `check`, if given, runs inside the transaction, after the write lock is
  // held: a failing check (e.g. a blob is missing) aborts the change.
  Result<void> put_image(const std::string& name, const oci::Descriptor& target,
                         const std::vector<base::Digest>& blobs,
                         const std::function<Result<void>()>& check = {});
  Result<std::optional<ImageRecord>> get_image(const std::string& name);
  // Whether `name` already points at `target` with exactly `blobs` as its
  // references, so that put_image would change nothing but its times.
  Result<bool> image_is(const std::string& name, const oci::Descriptor& target,
                        const std::vector<base::Digest>& blobs);
  Result<std::vector<ImageRecord>> list_images();  // by name
  Result<bool> remove_image(const std::string& name);
  Result<void> touch_image(const std::string& name);

  Result<void> put_cache_record(const std::string& key, const std::string& value,
                                const std::vector<base::Digest>& blobs,
                                const std::function<Result<void>()>& check = {});
  // Also marks the record used now (to the minute: last_used is left alone
  // when it is less than a minute old).
  Result<std::optional<CacheRecord>> get_cache_record(const std::string& key);
  Result<bool> remove_cache_record(const std::string& key);

  // A lease for a running build: blobs protected through it stay alive until
  // it is released or its process dies. The lease must not outlive the store.
  Result<Lease> create_lease(const TmpDir& tmp);
  // Deletes the leases whose processes died; returns their ids.
  Result<std::vector<std::string>> remove_stale_leases(const TmpDir& tmp);

  // Every reference row, ordered by kind, owner and digest.
  Result<std::vector<BlobRef>> blob_refs();
  // Runs `fn` holding the write lock, with the digests some row keeps alive.
  // Garbage collection deletes blobs inside it, so no reference can be added
  // to a blob while it is being deleted.
  Result<void> with_write_lock(const std::function<Result<void>(const std::set<std::string>&)>& fn);
  // SQLite's integrity and foreign-key checks; empty when the file is sound.
  Result<std::vector<std::string>> integrity_problems();

 private:
  friend class Lease;
  struct Impl;
  explicit MetadataStore(std::unique_ptr<Impl> impl);
  Result<void> add_lease_blob(const std::string& lease, const base::Digest& digest);
  Result<void> delete_lease(const std::string& lease);

  std::unique_ptr<Impl> m_impl;
};

}  // namespace content
