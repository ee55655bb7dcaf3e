#include "registry/auth_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/base64.h"
#include "registry/testing/test_support.h"

namespace registry {
namespace {

using testing::read_file;
using testing::TempDir;
using testing::write_file;

std::string auth_of(const std::string& user, const std::string& pass) { return base::base64_encode(user + ":" + pass); }

// A docker-credential-<name> script: answers `get` for one server from a
// canned table, records every call's action and stdin in calls.log.
void write_helper(const std::string& dir, const std::string& name) {
  write_file(dir + "/docker-credential-" + name,
             "#!/bin/sh\n"
             "input=$(cat)\n"
             "printf '%s %s\\n' \"$1\" \"$input\" >> \"" + dir + "/calls.log\"\n"
             "case \"$1:$input\" in\n"
             "  'get:helped.example.com') echo '{\"ServerURL\":\"helped.example.com\",\"Username\":\"hu\",\"Secret\":\"hs\"}' ;;\n"
             "  'get:https://index.docker.io/v1/') echo '{\"ServerURL\":\"x\",\"Username\":\"<token>\",\"Secret\":\"idtok\"}' ;;\n"
             "  'get:broken.example.com') echo 'keychain locked' >&2; exit 3 ;;\n"
             "  get:*) echo 'credentials not found in native keychain'; exit 1 ;;\n"
             "  store:*|erase:*) ;;\n"
             "esac\n",
             0755);
}

struct Fixture {
  TempDir dir;
  AuthConfigPaths paths;
  std::unique_ptr<SpawnHelperRunner> runner;
  std::unique_ptr<CredentialStore> store;

  Fixture() {
    paths.docker_config_dir = dir.path() + "/docker";
    ::mkdir(paths.docker_config_dir.c_str(), 0700);
    paths.helper_search_path = dir.path();
    write_helper(dir.path(), "fake");
    reset();
  }
  void reset() {
    runner = std::make_unique<SpawnHelperRunner>(paths.helper_search_path);
    store = std::make_unique<CredentialStore>(paths, *runner);
  }
  void config(const std::string& json) { write_file(paths.docker_config_dir + "/config.json", json); }
  std::optional<Credentials> lookup(std::string_view domain, std::string_view repo = {}) {
    auto r = store->lookup(domain, repo);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : std::nullopt;
  }
};

TEST(AuthConfig, KeysNormalizeAsDocker) {
  EXPECT_EQ(auth_key_for("docker.io"), "https://index.docker.io/v1/");
  EXPECT_EQ(auth_key_for("registry-1.docker.io"), "https://index.docker.io/v1/");
  EXPECT_EQ(auth_key_for("localhost:5000"), "localhost:5000");
  EXPECT_EQ(normalize_auth_key("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(normalize_auth_key("http://registry.example.com:5000/v2/"), "registry.example.com:5000");
  EXPECT_EQ(normalize_auth_key("registry.example.com"), "registry.example.com");
}

TEST(AuthConfig, DecodesAuthField) {
  auto creds = decode_auth_entry("k", R"({"auth":")" + auth_of("user", "pa:ss") + R"("})");
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->username, "user");
  EXPECT_EQ(creds->password, "pa:ss");
  auto token = decode_auth_entry("k", R"({"identitytoken":"tok"})");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->identity_token, "tok");
  auto bad = decode_auth_entry("reg.example.com", R"({"auth":"bm9jb2xvbg=="})");  // "nocolon"
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("reg.example.com"), std::string::npos);
  EXPECT_EQ(bad.error().message.find("nocolon"), std::string::npos) << "secrets must not leak into errors";
}

TEST(AuthConfig, MissingFilesMeanAnonymous) {
  Fixture f;
  EXPECT_FALSE(f.lookup("registry.example.com"));
}

TEST(AuthConfig, AuthsByHostAndByUrlKey) {
  Fixture f;
  f.config(R"({"auths":{
    "https://index.docker.io/v1/":{"auth":")" + auth_of("hub", "hubpass") + R"("},
    "https://registry.example.com:5000/v1/":{"auth":")" + auth_of("u", "p") + R"("},
    "plain.example.com":{"auth":")" + auth_of("u2", "p2") + R"("}}})");
  EXPECT_EQ(f.lookup("docker.io")->username, "hub");
  EXPECT_EQ(f.lookup("registry.example.com:5000")->password, "p");
  EXPECT_EQ(f.lookup("plain.example.com")->username, "u2");
  EXPECT_FALSE(f.lookup("registry.example.com"));  // the port is part of the key
}

TEST(AuthConfig, MalformedConfigNamesTheFile) {
  Fixture f;
  f.config("{not json");
  auto r = f.store->lookup("docker.io");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("config.json"), std::string::npos);
}

TEST(AuthConfig, CredHelpersWinOverCredsStoreAndAuths) {
  Fixture f;
  f.config(R"({"credsStore":"fake","credHelpers":{"helped.example.com":"fake"},
              "auths":{"helped.example.com":{"auth":")" + auth_of("file", "filepass") + R"("},
                       "other.example.com":{"auth":")" + auth_of("o", "op") + R"("}}})");
  auto creds = f.lookup("helped.example.com");
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->username, "hu");
  EXPECT_EQ(creds->password, "hs");
  // The helper does not know this server: the auths entry is used.
  EXPECT_EQ(f.lookup("other.example.com")->username, "o");
  // docker's "<token>" user means an identity token.
  auto hub = f.lookup("docker.io");
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->identity_token, "idtok");
  EXPECT_TRUE(hub->username.empty());
  std::string log = read_file(f.dir.path() + "/calls.log");
  EXPECT_NE(log.find("get helped.example.com"), std::string::npos);
  EXPECT_NE(log.find("get https://index.docker.io/v1/"), std::string::npos);
}

TEST(AuthConfig, FailingHelperIsAnErrorNamingIt) {
  Fixture f;
  f.config(R"({"credsStore":"fake"})");
  auto r = f.store->lookup("broken.example.com");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("docker-credential-fake"), std::string::npos);
  EXPECT_NE(r.error().message.find("keychain locked"), std::string::npos);
}

TEST(AuthConfig, MissingHelperIsAnError) {
  Fixture f;
  f.config(R"({"credsStore":"nosuch"})");
  auto r = f.store->lookup("x.example.com");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("docker-credential-nosuch not found"), std::string::npos);
}

TEST(AuthConfig, RegistryAuthFileFirstAndMostSpecificKey) {
  Fixture f;
  f.paths.registry_auth_file = f.dir.path() + "/auth.json";
  f.reset();
  write_file(f.paths.registry_auth_file, R"({"auths":{
      "quay.example.com":{"auth":")" + auth_of("host", "h") + R"("},
      "quay.example.com/team":{"auth":")" + auth_of("team", "t") + R"("},
      "quay.example.com/team/app":{"auth":")" + auth_of("app", "a") + R"("}}})");
  f.config(R"({"auths":{"quay.example.com":{"auth":")" + auth_of("docker", "d") + R"("}}})");
  EXPECT_EQ(f.lookup("quay.example.com", "team/app")->username, "app");
  EXPECT_EQ(f.lookup("quay.example.com", "team/other")->username, "team");
  EXPECT_EQ(f.lookup("quay.example.com", "solo")->username, "host");
  EXPECT_EQ(f.lookup("quay.example.com")->username, "host");
}

TEST(AuthConfig, StoreWritesAtomicallyWith0600AndKeepsOtherFields) {
  Fixture f;
  f.config(R"({"auths":{"a.example.com":{"auth":")" + auth_of("a", "b") + R"("}},"psFormat":"table"})");
  ASSERT_TRUE(f.store->store("docker.io", Credentials{"me", "secret", ""}).ok());
  std::string path = f.paths.docker_config_dir + "/config.json";
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string text = read_file(path);
  EXPECT_NE(text.find("https://index.docker.io/v1/"), std::string::npos);
  EXPECT_NE(text.find("psFormat"), std::string::npos);
  EXPECT_EQ(f.lookup("docker.io")->password, "secret");
  EXPECT_EQ(f.lookup("a.example.com")->username, "a");

  auto erased = f.store->erase("docker.io");
  ASSERT_TRUE(erased.ok());
  EXPECT_TRUE(*erased);
  EXPECT_FALSE(f.lookup("docker.io"));
  EXPECT_TRUE(f.lookup("a.example.com"));
  auto again = f.store->erase("docker.io");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST(AuthConfig, StoreCreatesTheDirectory) {
  Fixture f;
  f.paths.docker_config_dir = f.dir.path() + "/fresh";
  f.reset();
  ASSERT_TRUE(f.store->store("localhost:5000", Credentials{"u", "p", ""}).ok());
  EXPECT_EQ(f.lookup("localhost:5000")->username, "u");
}

TEST(AuthConfig, StoreGoesThroughTheHelper) {
  Fixture f;
  f.config(R"({"credHelpers":{"helped.example.com":"fake"}})");
  ASSERT_TRUE(f.store->store("helped.example.com", Credentials{"nu", "np", ""}).ok());
  std::string log = read_file(f.dir.path() + "/calls.log");
  EXPECT_NE(log.find(R"(store {"Secret":"np","ServerURL":"helped.example.com","Username":"nu"})"), std::string::npos)
      << log;
  // No secret lands in the file when a helper holds it.
  EXPECT_EQ(read_file(f.paths.docker_config_dir + "/config.json").find("np"), std::string::npos);
  ASSERT_TRUE(f.store->erase("helped.example.com").ok());
  EXPECT_NE(read_file(f.dir.path() + "/calls.log").find("erase helped.example.com"), std::string::npos);
}

}  // namespace
}  // namespace registry
