#pragma once
// An active snapshot that is removed again unless it gets committed: a step
// that fails half-way leaves nothing behind.
#include <string>

#include "base/result.h"
#include "snapshotter/snapshotter.h"

namespace snapshotter {

class ActiveSnapshot {
 public:
  ActiveSnapshot(Snapshotter& snapshots, std::string id) : m_snapshots(snapshots), m_id(std::move(id)) {}
  ~ActiveSnapshot() {
    if (!m_id.empty()) (void)m_snapshots.remove(m_id);
  }
  ActiveSnapshot(const ActiveSnapshot&) = delete;
  ActiveSnapshot& operator=(const ActiveSnapshot&) = delete;

  const std::string& id() const { return m_id; }
  // The committed id; afterwards the destructor leaves it alone.
  Result<std::string> commit() {
    TRY_ASSIGN(std::string committed, m_snapshots.commit(m_id));
    m_id.clear();
    return committed;
  }

 private:
  Snapshotter& m_snapshots;
  std::string m_id;
};

}  // namespace snapshotter
