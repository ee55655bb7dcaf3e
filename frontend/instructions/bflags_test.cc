#include "frontend/instructions/bflags.h"

#include <gtest/gtest.h>

namespace frontend::instructions {
namespace {

FlagSet flags_for_test() {
  FlagSet f;
  f.add_string("str1", "HI");
  f.add_bool("bool1");
  f.add_list("many");
  return f;
}

TEST(FlagSet, DefaultsWhenUnused) {
  FlagSet f = flags_for_test();
  ASSERT_TRUE(f.parse({}).ok());
  EXPECT_EQ(f.get_string("str1"), "HI");
  EXPECT_FALSE(f.get_bool("bool1"));
  EXPECT_FALSE(f.used("str1"));
  EXPECT_FALSE(f.used("bool1"));
  EXPECT_TRUE(f.get_list("many").empty());
  EXPECT_TRUE(f.used_names().empty());
}

TEST(FlagSet, Values) {
  FlagSet f = flags_for_test();
  ASSERT_TRUE(f.parse({"--bool1", "--str1=BYE", "--many=a", "--many=b=c"}).ok());
  EXPECT_TRUE(f.get_bool("bool1"));
  EXPECT_EQ(f.get_string("str1"), "BYE");
  EXPECT_EQ(f.get_list("many"), (std::vector<std::string>{"a", "b=c"}));
  EXPECT_EQ(f.used_names(), (std::vector<std::string>{"bool1", "many", "str1"}));
}

TEST(FlagSet, EmptyStringValueIsAllowed) {
  FlagSet f = flags_for_test();
  ASSERT_TRUE(f.parse({"--str1="}).ok());
  EXPECT_EQ(f.get_string("str1"), "");
  EXPECT_TRUE(f.used("str1"));
}

TEST(FlagSet, BoolSpellings) {
  for (const char* word : {"--bool1=true", "--bool1=TRUE", "--bool1=True", "--bool1"}) {
    FlagSet f = flags_for_test();
    ASSERT_TRUE(f.parse({word}).ok()) << word;
    EXPECT_TRUE(f.get_bool("bool1")) << word;
  }
  FlagSet f = flags_for_test();
  ASSERT_TRUE(f.parse({"--bool1=FaLsE"}).ok());
  EXPECT_FALSE(f.get_bool("bool1"));
  EXPECT_TRUE(f.used("bool1"));
}

TEST(FlagSet, DoubleDashEndsFlags) {
  FlagSet f = flags_for_test();
  ASSERT_TRUE(f.parse({"--", "--nonsense"}).ok());
  EXPECT_TRUE(f.used_names().empty());
}

struct BadCase {
  std::vector<std::string> words;
  std::string message;
};

TEST(FlagSet, Errors) {
  const BadCase cases[] = {
      {{"--bool1=1"}, "expecting boolean value for flag bool1, not: 1"},
      {{"--bool1=yes"}, "expecting boolean value for flag bool1, not: yes"},
      {{"--bool1="}, "missing a value on flag: bool1"},
      {{"--str1"}, "missing a value on flag: str1"},
      {{"--many"}, "missing a value on flag: many"},
      {{"--bool2"}, "unknown flag: bool2"},
      {{"--str1=a", "--str1=b"}, "duplicate flag specified: str1"},
      {{"--bool1", "--bool1"}, "duplicate flag specified: bool1"},
      {{"-x"}, "arg should start with -- : -x"},
  };
  for (const auto& c : cases) {
    FlagSet f = flags_for_test();
    auto r = f.parse(c.words);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.error().message, c.message);
    EXPECT_EQ(f.failed_index(), c.words.size() - 1);
  }
}

TEST(FlagSet, UnknownFlagSuggestsClosest) {
  FlagSet f = flags_for_test();
  auto r = f.parse({"--str2=x"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unknown flag: str2");
  EXPECT_EQ(r.error().hint, "did you mean --str1?");
}

}  // namespace
}  // namespace frontend::instructions
