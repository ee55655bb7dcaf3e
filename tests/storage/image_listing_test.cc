// kiln images --filter/--format and kiln inspect --format, as CI scripts use
// them with docker.
#include "tests/storage/storage_fixture.h"

namespace storage_test {
namespace {

class ImageListing : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    write(ctx + "/a.txt", "a\n");
    write(ctx + "/Dockerfile", "FROM scratch\nLABEL tier=web\nCOPY a.txt /\n");
    auto web = build(ctx, {"-t", "app:v1", "-t", "app:latest"});
    ASSERT_EQ(web.exit_code, 0) << web.err;
    write(ctx + "/Dockerfile", "FROM scratch\nLABEL tier=db\nCOPY a.txt /b.txt\n");
    auto db = build(ctx, {"-t", "example.com/team/db:1"});
    ASSERT_EQ(db.exit_code, 0) << db.err;
    write(ctx + "/Dockerfile", "FROM scratch\nCOPY a.txt /c.txt\n");
    auto unnamed = build(ctx);
    ASSERT_EQ(unnamed.exit_code, 0) << unnamed.err;
  }

  std::string out(std::vector<std::string> args) {
    auto run = kiln(std::move(args));
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out;
  }
};

TEST_P(ImageListing, FormatAndFilters) {
  EXPECT_EQ(out({"images", "--format", "{{.Repository}}:{{.Tag}}"}),
            "app:latest\napp:v1\nexample.com/team/db:1\n<none>:<none>\n");
  EXPECT_EQ(out({"images", "--filter", "dangling=true", "--format", "{{.Repository}}"}), "<none>\n");
  EXPECT_EQ(out({"images", "-f", "label=tier=web", "--format", "{{.Tag}}"}), "latest\nv1\n");
  EXPECT_EQ(out({"images", "-f", "reference=*/*/db", "--format", "{{.Repository}}"}), "example.com/team/db\n");
  EXPECT_EQ(out({"images", "-f", "reference=app:v*", "-f", "dangling=false", "--format", "{{.Tag}}"}), "v1\n");
  const std::string ids = out({"images", "-q", "-f", "label=tier"});
  EXPECT_EQ(ids.size(), 3u * 13u) << ids;  // three rows of 12 hex digits
  std::string json_rows = out({"images", "--format", "json", "-f", "reference=app:v1"});
  EXPECT_NE(json_rows.find("\"Repository\":\"app\""), std::string::npos) << json_rows;
  EXPECT_NE(json_rows.find("\"Tag\":\"v1\""), std::string::npos) << json_rows;

  auto bad = kiln({"images", "-f", "colour=red"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("invalid filter 'colour'"), std::string::npos) << bad.err;
  auto no_image = kiln({"images", "-f", "since=ghost:1"});
  EXPECT_EQ(no_image.exit_code, 2);
  EXPECT_NE(no_image.err.find("invalid filter 'since=ghost:1'"), std::string::npos) << no_image.err;
}

TEST_P(ImageListing, InspectFormat) {
  const std::string id = out({"inspect", "-f", "{{.Id}}", "app:v1"});
  ASSERT_EQ(id.rfind("sha256:", 0), 0u) << id;
  EXPECT_EQ(id.size(), 7u + 64u + 1u);
  EXPECT_EQ(out({"inspect", "--format", "{{.Config.Labels.tier}} {{json .RepoTags}} {{len .RootFS.Layers}}",
                 "app:v1", "example.com/team/db:1"}),
            "web [\"app:latest\",\"app:v1\"] 1\ndb [\"example.com/team/db:1\"] 1\n");
  EXPECT_EQ(out({"inspect", "-f", "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{end}}", "app"}), "tier=web\n");

  auto bad = kiln({"inspect", "-f", "{{.Id", "app:v1"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("template parsing error: template: at byte 6: unclosed action"), std::string::npos)
      << bad.err;
  auto unknown = kiln({"inspect", "-f", "{{nosuch .Id}}", "app:v1"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("function \"nosuch\" not defined"), std::string::npos) << unknown.err;
}

INSTANTIATE_TEST_SUITE_P(Snapshotters, ImageListing, ::testing::Values("copy"), snapshotter_name);

}  // namespace
}  // namespace storage_test
