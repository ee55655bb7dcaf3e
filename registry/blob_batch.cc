#include "registry/blob_batch.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

namespace registry {

Result<void> transfer_blobs(const std::vector<oci::Descriptor>& blobs, int limit, const TransferProgress& progress,
                            const std::function<Result<void>(const oci::Descriptor&, const BlobTask&)>& transfer) {
  std::vector<const oci::Descriptor*> todo;
  std::set<std::string> seen;
  for (const auto& blob : blobs)
    if (seen.insert(blob.digest.str()).second) todo.push_back(&blob);

  std::atomic<bool> stop{false};
  std::atomic<size_t> next{0};
  std::mutex mutex;  // guards `first_error` and serializes `progress`
  std::optional<base::Error> first_error;

  auto worker = [&] {
    while (!stop.load()) {
      size_t i = next.fetch_add(1);
      if (i >= todo.size()) return;
      const oci::Descriptor& blob = *todo[i];
      if (progress) {
        std::lock_guard lock(mutex);
        progress(TransferEvent{TransferEvent::Kind::started, &blob, 0});
      }
      BlobTask task{stop, [&](int64_t bytes) {
                      if (!progress) return;
                      std::lock_guard lock(mutex);
                      progress(TransferEvent{TransferEvent::Kind::bytes, &blob, bytes});
                    }};
      Result<void> result = transfer(blob, task);
      std::lock_guard lock(mutex);
      if (!result.ok()) {
        // Later failures (e.g. of transfers told to stop) are consequences, not the cause.
        if (!first_error) first_error = result.error();
        stop = true;
        return;
      }
      if (progress) progress(TransferEvent{TransferEvent::Kind::done, &blob, blob.size});
    }
  };

  size_t threads = std::min(todo.size(), static_cast<size_t>(std::max(1, limit)));
  if (threads <= 1) {
    worker();  // no thread for a single blob
  } else {
    std::vector<std::jthread> pool;
    pool.reserve(threads);
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  }  // the jthreads join here
  if (first_error) return *first_error;
  return {};
}

}  // namespace registry
