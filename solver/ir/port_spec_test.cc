#include "solver/ir/port_spec.h"

#include <gtest/gtest.h>

#include "solver/ir/platform.h"

namespace ir {
namespace {

TEST(PortSpec, ReadsTheContainerPortRangeAndProtocol) {
  auto one = parse_port_spec("80");
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(one->first, 80u);
  EXPECT_EQ(one->last, 80u);
  EXPECT_EQ(one->proto, "tcp");
  auto range = parse_port_spec("8000-8002/UDP");
  ASSERT_TRUE(range.ok()) << range.error().message;
  EXPECT_EQ(range->first, 8000u);
  EXPECT_EQ(range->last, 8002u);
  EXPECT_EQ(range->proto, "udp");
  auto mapped = parse_port_spec("127.0.0.1:8080:53/sctp");
  ASSERT_TRUE(mapped.ok()) << mapped.error().message;
  EXPECT_EQ(mapped->first, 53u);
  EXPECT_EQ(mapped->proto, "sctp");
  EXPECT_EQ(parse_port_spec("80/")->proto, "tcp");
}

TEST(PortSpec, ErrorsAreDockersInDockersOrder) {
  EXPECT_EQ(parse_port_spec("1.2.3.4:/tcp").error().message, "no port specified: 1.2.3.4:/tcp<empty>");
  EXPECT_EQ(parse_port_spec("70000").error().message, "invalid containerPort: 70000");
  EXPECT_EQ(parse_port_spec("90-80").error().message, "invalid containerPort: 90-80");
  EXPECT_EQ(parse_port_spec("1-2-3").error().message, "invalid containerPort: 1-2-3");
  EXPECT_EQ(parse_port_spec("x/icmp").error().message, "invalid containerPort: x");  // port first
  EXPECT_EQ(parse_port_spec("80/ICMP").error().message, "invalid proto: icmp");
}

TEST(DefaultPath, EveryOsButWindows) {
  EXPECT_EQ(default_path_env("linux"), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  EXPECT_EQ(default_path_env("freebsd"), default_path_env("linux"));
  EXPECT_EQ(default_path_env("windows"), "");
}

}  // namespace
}  // namespace ir
