#include "oci/json_fields.h"

#include <gtest/gtest.h>

namespace oci {
namespace {

nlohmann::json doc(std::string_view text) { return *parse_json(text); }

TEST(JsonFields, ParseErrorGivesByteOffset) {
  auto r = parse_json("{\"a\": ");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("malformed JSON at byte"), std::string::npos);
}

TEST(JsonFields, HugeNumberIsAnErrorNotAnException) {
  auto r = parse_json(R"({"size": 1e400})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "malformed JSON: number out of range");
}

TEST(JsonFields, CanonicalJsonSortsKeysAndDropsWhitespace) {
  auto j = doc(R"({ "b": 1, "a": {"d": [1, 2], "c": "x"} })");
  EXPECT_EQ(canonical_json(j), R"({"a":{"c":"x","d":[1,2]},"b":1})");
}

TEST(JsonFields, CanonicalJsonKeepsUtf8AndReplacesInvalidBytes) {
  nlohmann::json j = {{"k", "h\xc3\xa9"}, {"bad", std::string("a\xff")}};
  EXPECT_EQ(canonical_json(j), "{\"bad\":\"a\xef\xbf\xbd\",\"k\":\"h\xc3\xa9\"}");
}

TEST(JsonFields, TypeErrorsNameTheField) {
  auto j = doc(R"({"outer": {"n": "12"}})");
  auto root = *FieldReader::make(j, "");
  auto outer = *root.object("outer");
  auto r = outer.int64("n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "field \"outer.n\": expected an integer, got string");
}

TEST(JsonFields, NullCountsAsAbsent) {
  auto j = doc(R"({"s": null, "l": null})");
  auto f = *FieldReader::make(j, "");
  EXPECT_FALSE(f.has("s"));
  EXPECT_FALSE(f.opt_string("s")->has_value());
  EXPECT_TRUE(f.string_list("l")->empty());
  auto required = f.string("s");
  ASSERT_FALSE(required.ok());
  EXPECT_EQ(required.error().message, "field \"s\" is required");
}

TEST(JsonFields, ListElementErrorsNameTheIndex) {
  auto j = doc(R"({"env": ["A=1", 2]})");
  auto f = *FieldReader::make(j, "config");
  auto r = f.string_list("env");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "field \"config.env[1]\": expected a string, got number");
}

TEST(JsonFields, IntegersRejectFractionsAndOverflow) {
  auto j = doc(R"({"a": 1.5, "b": 18446744073709551615, "c": -3})");
  auto f = *FieldReader::make(j, "");
  EXPECT_FALSE(f.int64("a").ok());
  EXPECT_FALSE(f.int64("b").ok());
  EXPECT_EQ(*f.int64("c"), -3);
}

TEST(JsonFields, KeySetRequiresObjectValues) {
  auto j = doc(R"({"ok": {"80/tcp": {}, "53/udp": {}}, "bad": {"80/tcp": 1}})");
  auto f = *FieldReader::make(j, "");
  EXPECT_EQ(*f.key_set("ok"), (std::set<std::string>{"53/udp", "80/tcp"}));
  EXPECT_FALSE(f.key_set("bad").ok());
}

TEST(JsonFields, UnknownReturnsOnlyUnlistedMembers) {
  auto j = doc(R"({"a": 1, "b": 2, "c": 3})");
  auto f = *FieldReader::make(j, "");
  EXPECT_EQ(f.unknown({"a", "c"}), doc(R"({"b": 2})"));
}

TEST(JsonFields, NonObjectDocumentIsAnError) {
  auto j = doc("[1]");
  auto r = FieldReader::make(j, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "document: expected an object, got array");
}

}  // namespace
}  // namespace oci
