#include "solver/core/executor.h"

namespace solver {

LazyDetail::LazyDetail(std::string bytes) : m_state(std::make_shared<State>()) {
  std::call_once(m_state->once, [&] { m_state->bytes = std::move(bytes); });
}

LazyDetail LazyDetail::deferred(std::function<std::string()> make) {
  LazyDetail d;
  d.m_state = std::make_shared<State>();
  d.m_state->make = std::move(make);
  return d;
}

const std::string& LazyDetail::get() const {
  static const std::string k_none;
  if (!m_state) return k_none;
  std::call_once(m_state->once, [this] {
    if (m_state->make) m_state->bytes = m_state->make();
    m_state->make = nullptr;  // what it captured (a whole selection) can go
  });
  return m_state->bytes;
}

}  // namespace solver
