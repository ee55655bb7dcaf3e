// HttpSourceRunner on a copy snapshotter and a memory cache index: the file
// it makes, checksums, keys, ETag reuse and what a changed URL does.
#include "solver/ops/http/http_source.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "snapshotter/open.h"
#include "solver/ops/http/testing/test_server.h"

namespace solver::ops::http {
namespace {

namespace fs = std::filesystem;
using testing::Request;
using testing::Response;
using testing::TestServer;

class NullStep final : public StepContext {
 public:
  void log(int, std::string_view) override {}
  bool canceled() const override { return false; }
};

class HttpSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "kiln-http-test-XXXXXX").string();
    root = ::mkdtemp(tmpl.data());
    auto s = snapshotter::open_snapshotter(root, "copy", clock);
    ASSERT_TRUE(s.ok()) << s.error().message;
    snaps = std::move(s).value();
  }
  void TearDown() override {
    snaps.reset();
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string read_in(const std::string& snapshot, const std::string& name, struct stat* st) {
    auto view = snaps->mount(snapshot);
    EXPECT_TRUE(view.ok());
    std::string path = (*view)->path() + "/" + name;
    if (st) ::lstat(path.c_str(), st);
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  size_t entries(const std::string& snapshot) {
    auto view = snaps->mount(snapshot);
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator((*view)->path())) ++n;
    return n;
  }

  base::FixedClock clock{1700000000};
  std::string root;
  std::unique_ptr<snapshotter::Snapshotter> snaps;
  MemoryCacheIndex index;
  NullStep step;
};

TEST_F(HttpSourceTest, MakesOneFileWithMode0600AndTheLastModifiedTime) {
  TestServer server([](const Request&) {
    return Response{200, {{"Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"}}, "payload"};
  });
  ir::HttpSource src{server.url("/dl/tool.sh"), "", "tool.sh"};
  HttpSourceRunner runner(*snaps, index);
  auto key = runner.content_key(3, src);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(key->kind, "http");
  auto r = runner.run(3, src, step);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(server.requests().size(), 1u);  // the key's download is the one committed
  struct stat st {};
  EXPECT_EQ(read_in(r->snapshot, "tool.sh", &st), "payload");
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1445412480);
  EXPECT_EQ(st.st_uid, ::geteuid());
  EXPECT_EQ(entries(r->snapshot), 1u);
}

TEST_F(HttpSourceTest, WithoutLastModifiedTheMtimeIsTheEpoch) {
  TestServer server([](const Request&) { return Response{200, {}, "x"}; });
  ir::HttpSource src{server.url("/f"), "", "f"};
  HttpSourceRunner runner(*snaps, index);
  ASSERT_TRUE(runner.content_key(0, src).ok());
  auto r = runner.run(0, src, step);
  ASSERT_TRUE(r.ok()) << r.error().message;
  struct stat st {};
  read_in(r->snapshot, "f", &st);
  EXPECT_EQ(st.st_mtim.tv_sec, 0);
}

TEST_F(HttpSourceTest, ChecksumKeysWithoutDownloadingAndMustMatch) {
  TestServer server([](const Request&) { return Response{200, {}, "hello\n"}; });
  base::Digest good = base::Sha256::of("hello\n");
  ir::HttpSource src{server.url("/h"), good.str(), "h"};
  HttpSourceRunner runner(*snaps, index);
  auto key = runner.content_key(0, src);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(server.requests().size(), 0u);
  EXPECT_EQ(key->digest, http_content_key("h", good, ""));
  auto r = runner.run(0, src, step);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(read_in(r->snapshot, "h", nullptr), "hello\n");

  base::Digest bad = base::Sha256::of("something else");
  ir::HttpSource wrong{server.url("/h"), bad.str(), "h"};
  ASSERT_TRUE(runner.content_key(1, wrong).ok());
  auto failed = runner.run(1, wrong, step);
  ASSERT_FALSE(failed.ok());
  const std::string& msg = failed.error().message;
  EXPECT_NE(msg.find("checksum mismatch"), std::string::npos) << msg;
  EXPECT_NE(msg.find(bad.str()), std::string::npos) << msg;
  EXPECT_NE(msg.find(good.str()), std::string::npos) << msg;
  // Nothing is left behind by the failed step.
  auto all = snaps->list();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(HttpSourceTest, NotFoundFailsTheKeyWithTheStatus) {
  TestServer server([](const Request&) { return Response{404, {}, "nope"}; });
  ir::HttpSource src{server.url("/gone"), "", "gone"};
  HttpSourceRunner runner(*snaps, index);
  auto key = runner.content_key(0, src);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("404"), std::string::npos) << key.error().message;
  auto all = snaps->list();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_F(HttpSourceTest, KeysFollowTheContentAndTheETagSavesTheBody) {
  std::string body = "v1";
  std::string etag = "\"one\"";
  TestServer server([&](const Request& req) {
    auto it = req.headers.find("if-none-match");
    if (it != req.headers.end() && it->second == etag) return Response{304, {{"ETag", etag}}, ""};
    return Response{200, {{"ETag", etag}}, body};
  });
  ir::HttpSource src{server.url("/v"), "", "v"};
  base::Digest first;
  {
    HttpSourceRunner runner(*snaps, index);
    auto key = runner.content_key(0, src);
    ASSERT_TRUE(key.ok()) << key.error().message;
    first = key->digest;
  }  // the step was "cached": the download is dropped
  auto all = snaps->list();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  {
    HttpSourceRunner runner(*snaps, index);
    auto key = runner.content_key(0, src);
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_EQ(key->digest, first);
    ASSERT_EQ(server.requests().size(), 2u);
    EXPECT_EQ(server.requests()[1].headers.at("if-none-match"), "\"one\"");
    // The body was not sent; running the step downloads it again.
    auto r = runner.run(0, src, step);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(read_in(r->snapshot, "v", nullptr), "v1");
  }
  body = "v2";
  etag = "\"two\"";
  HttpSourceRunner runner(*snaps, index);
  auto key = runner.content_key(0, src);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_NE(key->digest, first);
  auto reasons = HttpSourceRunner::explain(src.url + "\n" + base::Sha256::of("v1").str(), key->detail.get());
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_NE(reasons[0].find("changed"), std::string::npos);
}

TEST_F(HttpSourceTest, ContentChangedBetweenKeyAndRunIsAnError) {
  std::string body = "v1";
  TestServer server([&](const Request& req) {
    if (req.headers.count("if-none-match")) return Response{304, {{"ETag", "\"e\""}}, ""};
    return Response{200, {{"ETag", "\"e\""}}, body};
  });
  ir::HttpSource src{server.url("/c"), "", "c"};
  {
    HttpSourceRunner runner(*snaps, index);
    ASSERT_TRUE(runner.content_key(0, src).ok());
  }
  body = "v2";  // the server keeps the ETag but changes the body
  HttpSourceRunner runner(*snaps, index);
  ASSERT_TRUE(runner.content_key(0, src).ok());
  auto r = runner.run(0, src, step);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("changed"), std::string::npos) << r.error().message;
}

TEST_F(HttpSourceTest, RefusesFileNamesThatLeaveTheRoot) {
  TestServer server([](const Request&) { return Response{200, {}, "x"}; });
  ir::HttpSource src{server.url("/a/.."), "", ".."};
  HttpSourceRunner runner(*snaps, index);
  auto key = runner.content_key(0, src);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("invalid file name"), std::string::npos);
}

TEST(EtagRecord, RoundTrips) {
  EtagRecord r{"\"x\"", base::Sha256::of("a"), "Wed, 21 Oct 2015 07:28:00 GMT"};
  auto back = parse_etag_record(serialize_etag_record(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->etag, r.etag);
  EXPECT_EQ(back->digest, r.digest);
  EXPECT_EQ(back->last_modified, r.last_modified);
  EXPECT_FALSE(parse_etag_record("garbage").ok());
}

}  // namespace
}  // namespace solver::ops::http
