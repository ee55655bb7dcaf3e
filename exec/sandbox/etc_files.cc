#include "exec/sandbox/etc_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/unique_fd.h"

namespace exec::sandbox {
namespace {

bool is_localhost_nameserver(std::string_view addr) {
  return addr.substr(0, 4) == "127." || addr == "::1";
}

// The address of a "nameserver <addr>" line, or empty.
std::string_view nameserver_of(std::string_view line) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string_view::npos || line.compare(i, 10, "nameserver") != 0) return {};
  i += 10;
  if (i >= line.size() || (line[i] != ' ' && line[i] != '\t')) return {};
  i = line.find_first_not_of(" \t", i);
  if (i == std::string_view::npos) return {};
  size_t end = line.find_first_of(" \t#;", i);
  return line.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
}

// Written in place: the state directory belongs to this one step and nothing
// reads the files before the sandbox binds them.
base::Result<void> write_file(const std::string& path, const std::string& content) {
  base::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) return base::make_error("cannot write " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::make_error("cannot write " + path + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  // The umask must not make the file unreadable to a step running as non-root.
  if (::fchmod(fd.get(), 0644) != 0) return base::make_error("cannot chmod " + path + ": " + std::strerror(errno));
  return {};
}

}  // namespace

std::string hosts_file(const ProcessSpec& spec) {
  std::string out = "127.0.0.1\tlocalhost " + spec.hostname + "\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  for (const HostEntry& h : spec.extra_hosts) out += h.address + "\t" + h.name + "\n";
  return out;
}

std::string resolv_conf(std::string_view host, Network network) {
  std::vector<std::string_view> lines;
  bool any_nameserver = false;
  for (size_t pos = 0; pos < host.size();) {
    size_t nl = host.find('\n', pos);
    size_t end = nl == std::string_view::npos ? host.size() : nl;
    lines.push_back(host.substr(pos, end - pos));
    if (!nameserver_of(lines.back()).empty()) any_nameserver = true;
    pos = end + 1;
  }
  if (network == Network::host && any_nameserver) return std::string(host);
  std::string out;
  bool kept = false;
  for (std::string_view line : lines) {
    std::string_view ns = nameserver_of(line);
    if (!ns.empty() && is_localhost_nameserver(ns)) continue;
    kept = kept || !ns.empty();
    out.append(line).push_back('\n');
  }
  if (!kept)
    out += "nameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\n";
  return out;
}

base::Result<EtcFiles> write_etc_files(const ProcessSpec& spec) {
  if (spec.state_dir.empty()) return base::make_error("the step has no state directory for its /etc files");
  std::string host_resolv;
  if (std::ifstream in("/etc/resolv.conf"); in) {
    std::ostringstream ss;
    ss << in.rdbuf();
    host_resolv = ss.str();
  }
  EtcFiles files{spec.state_dir + "/hosts", spec.state_dir + "/hostname", spec.state_dir + "/resolv.conf"};
  TRY(write_file(files.hosts, hosts_file(spec)));
  TRY(write_file(files.hostname, spec.hostname + "\n"));
  TRY(write_file(files.resolv_conf, resolv_conf(host_resolv, spec.network)));
  return files;
}

}  // namespace exec::sandbox
