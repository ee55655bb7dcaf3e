#pragma once
// The bounded, fail-fast parallelism of whole-image transfers (see
// image_transfer.h): a set of blobs, each moved by one call of a transfer
// function, at most `limit` at once.
//
// The transfers run on threads of their own rather than on oneTBB's workers:
// they block on the network, and a TBB arena never runs more tasks at once
// than the machine has cores (2 downloads, not 4, on a 2-core machine), while
// blocking TBB's workers would stall the solver, which calls pulls from its
// own tasks.

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "base/result.h"
#include "oci/descriptor.h"

namespace registry {

using base::Result;

struct TransferEvent {
  enum class Kind { started, bytes, done };
  Kind kind = Kind::started;
  const oci::Descriptor* blob = nullptr;  // valid during the call only
  int64_t bytes = 0;  // bytes: moved so far; done: the blob's size
};

// Called for every blob: started, then bytes (downloads: after each chunk,
// none for a blob already in the store; uploads: once, when the blob is up),
// then done when it succeeded. Calls are serialized (never two at once),
// from the transfer threads.
using TransferProgress = std::function<void(const TransferEvent&)>;

// What one transfer gets besides its blob.
struct BlobTask {
  // True once another blob failed: the transfer should stop early (its
  // result is then ignored).
  const std::atomic<bool>& stop;
  // Reports the bytes moved so far as a TransferEvent::Kind::bytes.
  std::function<void(int64_t)> bytes;
};

// Runs `transfer` on each blob, at most `limit` (≥ 1) at once. The first
// failure stops the rest from starting, tells the running ones through the
// stop flag, and is what the batch returns once they have all ended.
// Duplicates (by digest) are moved once.
Result<void> transfer_blobs(const std::vector<oci::Descriptor>& blobs, int limit, const TransferProgress& progress,
                            const std::function<Result<void>(const oci::Descriptor&, const BlobTask&)>& transfer);

}  // namespace registry
