#pragma once
// Private to MetadataStore's .cc files: the state behind its pimpl.

#include <mutex>

#include "base/clock.h"
#include "content/metadata.h"
#include "content/sqlite.h"

namespace content {

struct MetadataStore::Impl {
  sql::Db db;
  const base::Clock* clock;
  std::mutex mutex;  // one connection, one transaction at a time
};

}  // namespace content
