// fetch() against a local server: bodies and their digests, headers of the
// final response, redirects, conditional requests and HTTP errors.
#include "solver/ops/http/fetch.h"

#include <stdio.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "solver/ops/http/testing/test_server.h"

namespace solver::ops::http {
namespace {

using testing::Request;
using testing::Response;
using testing::TestServer;

// An unlinked temporary file to receive a body.
class TempFile {
 public:
  TempFile() : m_file(std::tmpfile()) {}
  ~TempFile() { std::fclose(m_file); }
  int fd() const { return fileno(m_file); }
  std::string contents() const {
    std::string out;
    char buf[4096];
    ssize_t n;
    off_t off = 0;
    while ((n = ::pread(fd(), buf, sizeof buf, off)) > 0) {
      out.append(buf, static_cast<size_t>(n));
      off += n;
    }
    return out;
  }

 private:
  FILE* m_file;
};

TEST(Fetch, WritesTheBodyAndReportsHeaders) {
  TestServer server([](const Request&) {
    return Response{200, {{"ETag", "W/\"v1\""}, {"Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"}}, "hello\n"};
  });
  TempFile out;
  auto r = fetch(server.url("/file.txt"), out.fd());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(out.contents(), "hello\n");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->digest, base::Sha256::of("hello\n"));
  EXPECT_EQ(r->size, 6u);
  EXPECT_EQ(r->etag, "\"v1\"");  // weak marker dropped
  EXPECT_EQ(r->last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_FALSE(r->not_modified);
}

TEST(Fetch, FollowsRedirectsAndKeepsTheFinalHeaders) {
  int port = 0;
  TestServer server([&port](const Request& req) {
    if (req.path == "/old")
      return Response{302, {{"Location", "http://127.0.0.1:" + std::to_string(port) + "/new"}, {"ETag", "\"old\""}}, ""};
    return Response{200, {{"ETag", "\"new\""}}, "moved"};
  });
  port = server.port();
  TempFile out;
  auto r = fetch(server.url("/old"), out.fd());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(out.contents(), "moved");
  EXPECT_EQ(r->etag, "\"new\"");
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(Fetch, HttpErrorsNameTheStatusAndWriteNothing) {
  TestServer server([](const Request&) { return Response{404, {}, "no such file"}; });
  TempFile out;
  auto r = fetch(server.url("/missing"), out.fd());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("invalid response status 404"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(server.url("/missing")), std::string::npos);
  EXPECT_EQ(out.contents(), "");
}

TEST(Fetch, SendsIfNoneMatchAndReportsNotModified) {
  TestServer server([](const Request& req) {
    auto it = req.headers.find("if-none-match");
    if (it != req.headers.end() && it->second == "\"v1\"") return Response{304, {{"ETag", "\"v1\""}}, ""};
    return Response{200, {{"ETag", "\"v1\""}}, "body"};
  });
  TempFile out;
  FetchOptions options;
  options.if_none_match = {"\"v1\""};
  auto r = fetch(server.url("/f"), out.fd(), options);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->not_modified);
  EXPECT_EQ(r->etag, "\"v1\"");
  EXPECT_EQ(out.contents(), "");
}

TEST(Fetch, ConnectionFailuresAreErrors) {
  int port = 0;
  {
    TestServer server([](const Request&) { return Response{}; });
    port = server.port();
  }  // closed: nothing listens there now
  TempFile out;
  auto r = fetch("http://127.0.0.1:" + std::to_string(port) + "/x", out.fd());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("cannot download http://127.0.0.1:"), std::string::npos) << r.error().message;
}

TEST(Fetch, RefusesOtherSchemes) {
  TempFile out;
  auto r = fetch("file:///etc/hostname", out.fd());
  ASSERT_FALSE(r.ok());
}

TEST(HttpDate, ParsesTheThreeFormsGoAccepts) {
  EXPECT_EQ(parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT"), 1445412480);
  EXPECT_EQ(parse_http_date("Wednesday, 21-Oct-15 07:28:00 GMT"), 1445412480);
  EXPECT_EQ(parse_http_date("Wed Oct 21 07:28:00 2015"), 1445412480);
  EXPECT_EQ(parse_http_date(""), std::nullopt);
  EXPECT_EQ(parse_http_date("not a date"), std::nullopt);
}

}  // namespace
}  // namespace solver::ops::http
