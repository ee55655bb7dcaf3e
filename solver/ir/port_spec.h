#pragma once
// EXPOSE values as docker's nat.ParsePortSpec reads them, shared by the
// lowering (which validates and normalizes the Dockerfile's words) and the
// image config edit (which applies them): "[ip:][hostport:]containerport[/proto]",
// of which only the container port range and the protocol matter.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ir {

struct PortRange {
  uint64_t first = 0;
  uint64_t last = 0;        // == first for a single port
  std::string proto;        // "tcp" (the default), "udp" or "sctp"; lower case
};

// "80" → {80, 80, tcp}, "8000-8002/UDP" → {8000, 8002, udp},
// "127.0.0.1:8080:80" → {80, 80, tcp}. Errors are docker's texts, checked in
// its order: "no port specified: <spec><empty>", "invalid containerPort: <port>",
// "invalid proto: <proto>".
base::Result<PortRange> parse_port_spec(std::string_view spec);

}  // namespace ir
