#include "solver/ops/file/mode_spec.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

namespace solver_ops::file {
namespace {

uint32_t apply(const std::string& spec, uint32_t mode) {
  auto m = ModeSpec::parse(spec);
  EXPECT_TRUE(m.ok()) << spec;
  return m.ok() ? m->apply(mode) : 0;
}

TEST(ModeSpec, Octal) {
  EXPECT_EQ(apply("0755", S_IFREG | 0600), 0755u);
  EXPECT_EQ(apply("0640", S_IFDIR | 0777), 0640u);
  EXPECT_EQ(apply("4755", S_IFREG | 0644), 04755u);
  EXPECT_FALSE(ModeSpec::parse("0789").ok());
  EXPECT_FALSE(ModeSpec::parse("17777").ok());
}

TEST(ModeSpec, SymbolicAssignWithConditionalExecute) {
  // The common "readable by everyone, writable by the owner" form: X gives
  // execute to directories and to files that already had it.
  EXPECT_EQ(apply("u=rwX,go=rX", S_IFREG | 0600), 0644u);
  EXPECT_EQ(apply("u=rwX,go=rX", S_IFREG | 0700), 0755u);
  EXPECT_EQ(apply("u=rwX,go=rX", S_IFDIR | 0700), 0755u);
  EXPECT_EQ(apply("a=r", S_IFREG | 0777), 0444u);
}

TEST(ModeSpec, SymbolicAddRemove) {
  EXPECT_EQ(apply("+x", S_IFREG | 0644), 0755u);  // no who: every class
  EXPECT_EQ(apply("u+x", S_IFREG | 0644), 0744u);
  EXPECT_EQ(apply("go-w", S_IFREG | 0666), 0644u);
  EXPECT_EQ(apply("o=", S_IFREG | 0777), 0770u);
  EXPECT_EQ(apply("+X", S_IFREG | 0644), 0644u);
  EXPECT_EQ(apply("+X", S_IFREG | 0744), 0755u);
  EXPECT_EQ(apply("u+s", S_IFREG | 0755), 04755u);
  EXPECT_EQ(apply("+t", S_IFDIR | 0777), 01777u);
  EXPECT_EQ(apply("u+x,g+w", S_IFREG | 0644), 0764u);
}

TEST(ModeSpec, SymbolicCopyClass) {
  EXPECT_EQ(apply("g=u", S_IFREG | 0700), 0770u);
  EXPECT_EQ(apply("go=u-w", S_IFREG | 0700), 0755u);
}

TEST(ModeSpec, Invalid) {
  EXPECT_FALSE(ModeSpec::parse("").ok());
  EXPECT_FALSE(ModeSpec::parse("u").ok());
  EXPECT_FALSE(ModeSpec::parse("u+x,").ok());
  EXPECT_FALSE(ModeSpec::parse("z+x").ok());
  EXPECT_EQ(ModeSpec::parse("q").error().message, "invalid chmod parameter: 'q'");
}

}  // namespace
}  // namespace solver_ops::file
