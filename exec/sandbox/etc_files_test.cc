#include "exec/sandbox/etc_files.h"

#include <gtest/gtest.h>

namespace exec::sandbox {
namespace {

TEST(HostsFile, LocalhostNamesTheHostnameThenExtraHosts) {
  ProcessSpec spec;
  spec.hostname = "builder";
  spec.extra_hosts = {{"db", "10.0.0.5"}, {"v6", "fe80::1"}};
  EXPECT_EQ(hosts_file(spec),
            "127.0.0.1\tlocalhost builder\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\n"
            "10.0.0.5\tdb\n"
            "fe80::1\tv6\n");
}

TEST(ResolvConf, HostNetworkKeepsTheFileAsIs) {
  std::string host = "search example.com\nnameserver 127.0.0.53\noptions edns0\n";
  EXPECT_EQ(resolv_conf(host, Network::host), host);
}

TEST(ResolvConf, OtherNetworksDropLocalhostNameservers) {
  EXPECT_EQ(resolv_conf("nameserver 127.0.0.53\nnameserver 10.1.1.1\nsearch corp\n", Network::none),
            "nameserver 10.1.1.1\nsearch corp\n");
  EXPECT_EQ(resolv_conf("nameserver ::1\nnameserver\t192.168.1.1 # lan\n", Network::none),
            "nameserver\t192.168.1.1 # lan\n");
}

TEST(ResolvConf, NoNameserverLeftMeansPublicDefaults) {
  std::string want =
      "options ndots:2\n"
      "nameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\n";
  EXPECT_EQ(resolv_conf("nameserver 127.0.0.53\noptions ndots:2", Network::none), want);
  // Even the host network gets them when the host names no nameserver.
  EXPECT_EQ(resolv_conf("options ndots:2\n", Network::host), want);
  EXPECT_EQ(resolv_conf("", Network::host), want.substr(want.find('\n') + 1));
}

TEST(ResolvConf, NameserverPrefixIsAWholeKeyword) {
  // "nameservers" is not the keyword; it stays and does not count.
  EXPECT_EQ(resolv_conf("nameservers 127.0.0.1\nnameserver 1.1.1.1\n", Network::none),
            "nameservers 127.0.0.1\nnameserver 1.1.1.1\n");
}

}  // namespace
}  // namespace exec::sandbox
