#include <gtest/gtest.h>

#include "exec/security/capabilities.h"

namespace exec::security {
namespace {

TEST(ProcStatusCapabilities, ParsesTheCapLines) {
  auto caps = parse_proc_status_capabilities(
      "Name:\tsh\nUmask:\t0022\nCapInh:\t0000000000000000\nCapPrm:\t00000000a00425fb\n"
      "CapEff:\t00000000a00425fb\nCapBnd:\t00000000a00425fb\nCapAmb:\t0000000000000000\n"
      "NoNewPrivs:\t0\n");
  ASSERT_TRUE(caps.ok()) << caps.error().render();
  EXPECT_EQ(caps->inheritable, 0u);
  EXPECT_EQ(caps->permitted, 0xa00425fbu);
  EXPECT_EQ(caps->effective, 0xa00425fbu);
  EXPECT_EQ(caps->bounding, 0xa00425fbu);
  EXPECT_EQ(caps->ambient, 0u);
}

TEST(ProcStatusCapabilities, RejectsGarbageAndMissingLines) {
  EXPECT_FALSE(parse_proc_status_capabilities("CapEff:\tzz\nCapPrm:\t0\nCapInh:\t0\n"
                                              "CapBnd:\t0\n")
                   .ok());
  EXPECT_FALSE(parse_proc_status_capabilities("Name:\tsh\n").ok());
}

TEST(ProcStatusCapabilities, ReadsOurOwn) {
  auto caps = current_capabilities();
  ASSERT_TRUE(caps.ok()) << caps.error().render();
  // Every process's bounding set is a subset of what the kernel knows.
  EXPECT_EQ(caps->bounding & ~all_capabilities(), 0u);
}

}  // namespace
}  // namespace exec::security
