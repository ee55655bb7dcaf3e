#pragma once
// The three /etc files a RUN step sees but never commits: /etc/hosts,
// /etc/hostname and /etc/resolv.conf. Their content is decided here (pure
// functions, as BuildKit decides it); the sandbox writes them into the step's
// state directory and bind-mounts them read-only over the root's own files.
#include <string>
#include <string_view>

#include "base/result.h"
#include "exec/spec.h"

namespace exec::sandbox {

// "127.0.0.1\tlocalhost <hostname>\n::1\tlocalhost ip6-localhost
// ip6-loopback\n" followed by "<address>\t<name>\n" per extra host.
std::string hosts_file(const ProcessSpec& spec);

// The host's resolv.conf as the step gets it. With the host network it is
// kept as is; otherwise (and when it names no nameserver at all) localhost
// nameservers are dropped, since they cannot be reached from another network
// namespace, and Google's public resolvers stand in when none is left.
std::string resolv_conf(std::string_view host_resolv_conf, Network network);

struct EtcFiles {
  std::string hosts;     // host paths in the state directory
  std::string hostname;
  std::string resolv_conf;
};

// Writes the three files into `spec.state_dir` (0644).
base::Result<EtcFiles> write_etc_files(const ProcessSpec& spec);

}  // namespace exec::sandbox
