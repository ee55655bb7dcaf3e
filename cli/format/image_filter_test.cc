#include "cli/format/image_filter.h"

#include <gtest/gtest.h>

namespace cli::format {
namespace {

base::Result<int64_t> created_of(const std::string& name) {
  if (name == "old") return int64_t{100};
  if (name == "new") return int64_t{300};
  return base::make_error("no such image: " + name);
}

ImageRowFacts row(std::string repository, std::string tag, int64_t created,
                  std::map<std::string, std::string> labels = {}) {
  ImageRowFacts facts;
  facts.dangling = repository == "<none>";
  facts.repository = std::move(repository);
  facts.reference = tag.rfind("sha256:", 0) == 0 ? facts.repository + "@" + tag : facts.repository + ":" + tag;
  facts.tag = tag.rfind("sha256:", 0) == 0 ? "<none>" : std::move(tag);
  facts.created_ns = created;
  facts.labels = std::move(labels);
  return facts;
}

bool keeps(const std::vector<std::string>& args, const ImageRowFacts& facts) {
  auto filter = ImageFilter::parse(args, created_of);
  EXPECT_TRUE(filter.ok()) << filter.error().message;
  auto matched = filter->matches(facts);
  EXPECT_TRUE(matched.ok());
  return matched.ok() && *matched;
}

TEST(ImageFilter, DanglingLabelReference) {
  EXPECT_TRUE(keeps({"dangling=true"}, row("<none>", "<none>", 1)));
  EXPECT_FALSE(keeps({"dangling=true"}, row("app", "latest", 1)));
  EXPECT_TRUE(keeps({"dangling=false"}, row("app", "latest", 1)));
  EXPECT_TRUE(keeps({"label=tier"}, row("app", "latest", 1, {{"tier", "web"}})));
  EXPECT_TRUE(keeps({"label=tier=web"}, row("app", "latest", 1, {{"tier", "web"}})));
  EXPECT_FALSE(keeps({"label=tier=db"}, row("app", "latest", 1, {{"tier", "web"}})));
  EXPECT_FALSE(keeps({"label=tier", "label=owner"}, row("app", "latest", 1, {{"tier", "web"}})));
  EXPECT_TRUE(keeps({"reference=app"}, row("app", "latest", 1)));
  EXPECT_TRUE(keeps({"reference=app:latest"}, row("app", "latest", 1)));
  EXPECT_TRUE(keeps({"reference=a*"}, row("app", "v1", 1)));
  EXPECT_FALSE(keeps({"reference=app:v2"}, row("app", "v1", 1)));
  EXPECT_TRUE(keeps({"reference=nope", "reference=app"}, row("app", "v1", 1)));  // alternatives
  EXPECT_FALSE(keeps({"reference=*"}, row("example.com/team/app", "v1", 1)));   // * stops at /
  EXPECT_TRUE(keeps({"reference=*/*/app"}, row("example.com/team/app", "v1", 1)));
  EXPECT_FALSE(keeps({"reference=*"}, row("<none>", "<none>", 1)));
  // A digest name is matched as repo@digest, then as the repository alone.
  EXPECT_FALSE(keeps({"reference=app:*"}, row("app", "sha256:0123", 1)));
  EXPECT_TRUE(keeps({"reference=app@sha256:*"}, row("app", "sha256:0123", 1)));
  EXPECT_TRUE(keeps({"reference=app"}, row("app", "sha256:0123", 1)));
}

TEST(ImageFilter, BeforeAndSince) {
  EXPECT_TRUE(keeps({"before=new"}, row("app", "a", 200)));
  EXPECT_FALSE(keeps({"before=new"}, row("app", "a", 300)));
  EXPECT_TRUE(keeps({"since=old"}, row("app", "a", 200)));
  EXPECT_FALSE(keeps({"since=old"}, row("app", "a", 100)));
  EXPECT_TRUE(keeps({"since=old", "before=new"}, row("app", "a", 200)));
}

TEST(ImageFilter, BadFiltersAreRefusedClearly) {
  auto error_of = [](const std::vector<std::string>& args) {
    auto filter = ImageFilter::parse(args, created_of);
    return filter.ok() ? std::string() : filter.error().message;
  };
  EXPECT_EQ(error_of({"colour=red"}),
            "invalid filter 'colour': kiln images filters by dangling, label, reference, before and since");
  EXPECT_EQ(error_of({"dangling"}), "bad format of filter \"dangling\" (expected name=value)");
  EXPECT_EQ(error_of({"dangling=maybe"}), "invalid filter 'dangling=maybe': use true or false");
  EXPECT_EQ(error_of({"before=ghost"}), "invalid filter 'before=ghost': no such image: ghost");
  EXPECT_EQ(error_of({"reference=[a"}), "syntax error in pattern");
}

}  // namespace
}  // namespace cli::format
