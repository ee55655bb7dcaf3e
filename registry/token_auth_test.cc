// Bearer token auth against the real registry (`auth: token`) and the
// in-test TokenServer: push and pull through Client, wrong credentials, and
// one token per scope however many requests (and threads) need it.
#include <gtest/gtest.h>

#include "oci/media_types.h"
#include "registry/image_transfer.h"
#include "registry/testing/local_registry.h"
#include "registry/testing/token_server.h"

namespace registry {
namespace {

using testing::TempDir;

struct TokenRegistry {
  TempDir dir;
  std::unique_ptr<testing::TokenServer> tokens;
  testing::LocalRegistry reg;
  std::string failure;

  TokenRegistry() {
    if (std::string why = testing::LocalRegistry::unavailable_reason(); !why.empty()) {
      failure = why;
      return;
    }
    tokens = std::make_unique<testing::TokenServer>(dir.path(), testing::TokenServerOptions{"alice", "s3cret", "kiln-test-registry", "kiln-test-issuer"});
    if (!tokens->error().empty()) {
      failure = tokens->error();
      return;
    }
    testing::LocalRegistryOptions options;
    options.token_realm = tokens->realm();
    options.token_service = tokens->service();
    options.token_issuer = tokens->issuer();
    options.token_rootcertbundle = tokens->certificate_path();
    failure = reg.start(options);
  }
};

// A client with `user`/`password` stored for `domain`.
struct AuthClient {
  TempDir dir;
  CurlTransport transport;
  AuthConfigPaths paths;
  SpawnHelperRunner runner{"/nonexistent"};
  std::unique_ptr<CredentialStore> credentials;
  std::unique_ptr<Client> client;

  AuthClient(const std::string& domain, const std::string& user, const std::string& password) {
    paths.docker_config_dir = dir.path() + "/docker";
    credentials = std::make_unique<CredentialStore>(paths, runner);
    EXPECT_TRUE(credentials->store(domain, Credentials{user, password, ""}).ok());
    ClientOptions options;
    options.transport = &transport;
    options.credentials = credentials.get();
    client = std::make_unique<Client>(options);
  }
};

oci::Descriptor store_image(const content::ContentStore& store, int layers) {
  std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  EXPECT_TRUE(store.write_blob(config).ok());
  auto describe = [](std::string_view type, const std::string& bytes) {
    oci::Descriptor d = oci::describe(std::string(type), bytes);
    return R"({"mediaType":")" + d.media_type + R"(","digest":")" + d.digest.str() + R"(","size":)" +
           std::to_string(d.size) + "}";
  };
  std::string manifest = R"({"schemaVersion":2,"mediaType":")" + std::string(oci::k_media_oci_manifest) +
                         R"(","config":)" + describe(oci::k_media_oci_config, config) + R"(,"layers":[)";
  for (int i = 0; i < layers; ++i) {
    std::string layer(5000 + static_cast<size_t>(i), static_cast<char>('a' + i));
    EXPECT_TRUE(store.write_blob(layer).ok());
    manifest += (i ? "," : "") + describe(oci::k_media_oci_layer_tar, layer);
  }
  manifest += "]}";
  EXPECT_TRUE(store.write_blob(manifest).ok());
  return oci::describe(std::string(oci::k_media_oci_manifest), manifest);
}

TEST(TokenAuth, PushAndPullFetchOneTokenPerScope) {
  TokenRegistry server;
  if (server.failure.find("not installed") != std::string::npos) GTEST_SKIP() << server.failure;
  ASSERT_EQ(server.failure, "");
  TempDir dir;
  auto source = *content::ContentStore::open(dir.path() + "/source");
  auto target = *content::ContentStore::open(dir.path() + "/target");
  oci::Descriptor root = store_image(source, 4);
  AuthClient alice(server.reg.domain(), "alice", "s3cret");
  Reference ref = *parse_reference(server.reg.domain() + "/tok/app:1");

  auto pushed = push_image(*alice.client, ref, source, root);
  ASSERT_TRUE(pushed.ok()) << pushed.error().message;
  auto pulled = pull_image(*alice.client, ref, target, host_platform());
  ASSERT_TRUE(pulled.ok()) << pulled.error().message;
  EXPECT_EQ(pulled->manifest.digest, root.digest);
  EXPECT_EQ(*target.read(root.digest), *source.read(root.digest));

  // Five blobs checked, uploaded and fetched in parallel, two manifests: still
  // one token for reading and one for writing.
  EXPECT_EQ(server.tokens->issued_for("repository:tok/app:pull"), 1);
  EXPECT_EQ(server.tokens->issued_for("repository:tok/app:pull,push"), 1);
  EXPECT_EQ(server.tokens->issued(), 2);
  EXPECT_EQ(server.tokens->refused(), 0);

  // Anonymous clients get nothing: the token server refuses them.
  CurlTransport transport;
  ClientOptions options;
  options.transport = &transport;
  Client anonymous(options);
  auto denied = anonymous.get_manifest(ref);
  EXPECT_FALSE(denied.ok());
}

TEST(TokenAuth, WrongPasswordFailsWithAClear401) {
  TokenRegistry server;
  if (server.failure.find("not installed") != std::string::npos) GTEST_SKIP() << server.failure;
  ASSERT_EQ(server.failure, "");
  AuthClient mallory(server.reg.domain(), "alice", "wrong");
  auto m = mallory.client->get_manifest(*parse_reference(server.reg.domain() + "/tok/app:1"));
  ASSERT_FALSE(m.ok());
  const std::string& message = m.error().message;
  EXPECT_NE(message.find("401"), std::string::npos) << message;
  EXPECT_NE(message.find("refused access"), std::string::npos) << message;
  EXPECT_EQ(message.find("wrong"), std::string::npos) << "the password never appears: " << message;
  EXPECT_GE(server.tokens->refused(), 1);
  EXPECT_EQ(server.tokens->issued(), 0);
}

}  // namespace
}  // namespace registry
