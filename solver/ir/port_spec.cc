#include "solver/ir/port_spec.h"

#include "base/strings.h"

namespace ir {
namespace {

// Decimal 0..65535, as Go's strconv.ParseUint(s, 10, 16).
bool parse_port(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 5) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return out <= 65535;
}

// "80" or "8000-8010" (nat.ParsePortRange).
bool parse_port_range(std::string_view s, uint64_t& first, uint64_t& last) {
  const size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    if (!parse_port(s, first)) return false;
    last = first;
    return true;
  }
  return parse_port(s.substr(0, dash), first) && parse_port(s.substr(dash + 1), last) && last >= first;
}

}  // namespace

base::Result<PortRange> parse_port_spec(std::string_view spec) {
  std::string_view container = spec;
  if (size_t colon = spec.rfind(':'); colon != std::string_view::npos) container = spec.substr(colon + 1);
  PortRange out;
  out.proto = "tcp";
  std::string_view port = container;
  if (size_t slash = container.find('/'); slash != std::string_view::npos) {
    port = container.substr(0, slash);
    std::string_view proto = container.substr(slash + 1);
    if (!proto.empty()) out.proto = base::ascii_lower(proto);
  }
  if (port.empty()) return base::make_error("no port specified: " + std::string(spec) + "<empty>");
  if (!parse_port_range(port, out.first, out.last))
    return base::make_error("invalid containerPort: " + std::string(port));
  if (out.proto != "tcp" && out.proto != "udp" && out.proto != "sctp")
    return base::make_error("invalid proto: " + out.proto);
  return out;
}

}  // namespace ir
