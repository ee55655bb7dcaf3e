// Integration tests of Client against a real registry (docker-registry).
#include "registry/client.h"

#include <gtest/gtest.h>

#include <mutex>

#include <filesystem>

#include "base/base64.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "content/image_store.h"
#include "registry/image_transfer.h"
#include "registry/testing/local_registry.h"

namespace registry {
namespace {

using testing::LocalRegistry;
using testing::LocalRegistryOptions;
using testing::TempDir;

struct TestImage {
  oci::Descriptor layer, config, manifest;
  std::string manifest_bytes;
};

std::string pattern(size_t size, char seed) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>(seed + static_cast<char>(i * 7 % 251));
  return out;
}

// Writes a one-layer image into `store`.
TestImage write_image(const content::ContentStore& store, const std::string& layer_bytes) {
  TestImage image;
  std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  image.layer = oci::describe(std::string(oci::k_media_oci_layer_tar), layer_bytes);
  image.config = oci::describe(std::string(oci::k_media_oci_config), config);
  EXPECT_TRUE(store.write_blob(layer_bytes).ok());
  EXPECT_TRUE(store.write_blob(config).ok());
  oci::Manifest m;
  m.media_type = std::string(oci::k_media_oci_manifest);
  m.config = image.config;
  m.layers = {image.layer};
  image.manifest_bytes = oci::serialize(m);
  image.manifest = oci::describe(m.media_type, image.manifest_bytes);
  EXPECT_TRUE(store.write_blob(image.manifest_bytes).ok());
  return image;
}

struct Side {
  TempDir dir;
  content::ContentStore store = *content::ContentStore::open(dir.path() + "/root");
};

class ClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_registry = new LocalRegistry();
    s_error = s_registry->start();
  }
  static void TearDownTestSuite() {
    delete s_registry;
    s_registry = nullptr;
  }
  void SetUp() override {
    if (!s_error.empty()) GTEST_SKIP() << "no local registry: " << s_error;
    ClientOptions options;
    options.transport = &m_transport;
    options.sleep = [this](std::chrono::milliseconds d) { m_sleeps.push_back(d); };
    options.chunk_size = 4096;
    m_client = std::make_unique<Client>(options);
  }
  Reference ref(const std::string& text) { return *parse_reference(s_registry->domain() + "/" + text); }

  static LocalRegistry* s_registry;
  static std::string s_error;
  CurlTransport m_transport;
  std::vector<std::chrono::milliseconds> m_sleeps;
  std::unique_ptr<Client> m_client;
  Side m_src, m_dst;
};
LocalRegistry* ClientTest::s_registry = nullptr;
std::string ClientTest::s_error;

TEST_F(ClientTest, PingUsesPlainHttpForLoopback) {
  auto endpoint = m_client->endpoint(s_registry->domain());
  ASSERT_TRUE(endpoint.ok()) << endpoint.error().message;
  EXPECT_EQ(*endpoint, "http://" + s_registry->domain());
}

TEST_F(ClientTest, PushThenPullBlobsAndManifest) {
  TestImage image = write_image(m_src.store, pattern(1000, 'a'));
  Reference repo = ref("team/app:v1");
  for (const auto& blob : {image.layer, image.config}) {
    auto pushed = m_client->push_blob(repo, blob, m_src.store);
    ASSERT_TRUE(pushed.ok()) << pushed.error().message;
  }
  auto digest = m_client->put_manifest(repo, image.manifest.media_type, image.manifest_bytes);
  ASSERT_TRUE(digest.ok()) << digest.error().message;
  EXPECT_EQ(*digest, image.manifest.digest);

  auto fetched = m_client->get_manifest(repo);
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_EQ(fetched->descriptor.digest, image.manifest.digest);
  EXPECT_EQ(fetched->descriptor.media_type, oci::k_media_oci_manifest);
  EXPECT_EQ(fetched->bytes, image.manifest_bytes);

  auto by_digest = m_client->get_manifest(ref("team/app@" + image.manifest.digest.str()));
  ASSERT_TRUE(by_digest.ok()) << by_digest.error().message;
  EXPECT_EQ(by_digest->bytes, image.manifest_bytes);

  auto manifest = oci::parse_manifest(fetched->bytes);
  ASSERT_TRUE(manifest.ok());
  for (const auto& blob : {manifest->config, manifest->layers[0]}) {
    auto info = m_client->fetch_blob(repo, blob, m_dst.store);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->digest, blob.digest);
    EXPECT_EQ(*m_dst.store.read(blob.digest), *m_src.store.read(blob.digest));
  }
}

TEST_F(ClientTest, HeadManifestAndBlob) {
  TestImage image = write_image(m_src.store, pattern(300, 'h'));
  Reference repo = ref("head/app:t");
  ASSERT_TRUE(m_client->push_blob(repo, image.layer, m_src.store).ok());
  ASSERT_TRUE(m_client->push_blob(repo, image.config, m_src.store).ok());
  ASSERT_TRUE(m_client->put_manifest(repo, image.manifest.media_type, image.manifest_bytes).ok());

  auto head = m_client->head_manifest(repo);
  ASSERT_TRUE(head.ok()) << head.error().message;
  ASSERT_TRUE(*head);
  EXPECT_EQ((*head)->digest, image.manifest.digest);
  EXPECT_EQ((*head)->size, image.manifest.size);
  EXPECT_EQ((*head)->media_type, oci::k_media_oci_manifest);
  auto missing = m_client->head_manifest(ref("head/app:nosuchtag"));
  ASSERT_TRUE(missing.ok()) << missing.error().message;
  EXPECT_FALSE(*missing);

  auto blob = m_client->head_blob(repo, image.layer.digest);
  ASSERT_TRUE(blob.ok()) << blob.error().message;
  ASSERT_TRUE(*blob);
  EXPECT_EQ(**blob, 300);
  auto absent = m_client->head_blob(repo, base::Sha256::of("absent"));
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(*absent);
}

TEST_F(ClientTest, MissingManifestNamesRegistryError) {
  auto r = m_client->get_manifest(ref("nobody/here:v9"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nobody/here:v9"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("HTTP 404"), std::string::npos) << r.error().message;
  EXPECT_TRUE(m_sleeps.empty()) << "a 404 is not retried";
}

TEST_F(ClientTest, ChunkedUploadOfALargeBlob) {
  // chunk_size is 4096: this takes POST, 5 PATCHes and the closing PUT.
  TestImage image = write_image(m_src.store, pattern(5 * 4096 - 100, 'c'));
  Reference repo = ref("chunked/app:1");
  auto pushed = m_client->push_blob(repo, image.layer, m_src.store);
  ASSERT_TRUE(pushed.ok()) << pushed.error().message;
  auto info = m_client->fetch_blob(repo, image.layer, m_dst.store);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->size, image.layer.size);
}

TEST_F(ClientTest, CrossRepositoryMount) {
  TestImage image = write_image(m_src.store, pattern(2000, 'm'));
  Reference from = ref("mount/source:1");
  Reference to = ref("mount/target:1");
  ASSERT_TRUE(m_client->push_blob(from, image.layer, m_src.store).ok());
  auto absent = m_client->head_blob(to, image.layer.digest);
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(*absent);
  auto mounted = m_client->mount_blob(to, image.layer.digest, from.path);
  ASSERT_TRUE(mounted.ok()) << mounted.error().message;
  EXPECT_TRUE(*mounted);
  auto present = m_client->head_blob(to, image.layer.digest);
  ASSERT_TRUE(present.ok());
  EXPECT_TRUE(*present);
  // A mount from a repository without the blob is refused, not an error.
  auto refused = m_client->mount_blob(ref("mount/other:1"), image.config.digest, from.path);
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_FALSE(*refused);
  // push_blob with a source repository goes through the mount.
  ASSERT_TRUE(m_client->push_blob(from, image.config, m_src.store).ok());
  ASSERT_TRUE(m_client->push_blob(ref("mount/third:1"), image.config, m_src.store, from.path).ok());
  EXPECT_TRUE(*m_client->head_blob(ref("mount/third:1"), image.config.digest));
}

TEST_F(ClientTest, WrongDigestDownloadFailsAndStoresNothing) {
  std::string good = pattern(4000, 'w');
  TestImage image = write_image(m_src.store, good);
  Reference repo = ref("tamper/app:1");
  ASSERT_TRUE(m_client->push_blob(repo, image.layer, m_src.store).ok());
  // Corrupt the registry's copy behind its back, keeping the length.
  std::string bad = good;
  bad[1234] = static_cast<char>(bad[1234] ^ 0x55);
  testing::write_file(s_registry->blob_data_path(image.layer.digest.hex()), bad);

  auto r = m_client->fetch_blob(repo, image.layer, m_dst.store);
  ASSERT_FALSE(r.ok());
  const std::string& message = r.error().message;
  EXPECT_NE(message.find(image.layer.digest.str()), std::string::npos) << message;
  EXPECT_NE(message.find(base::Sha256::of(bad).str()), std::string::npos) << message;
  EXPECT_FALSE(*m_dst.store.exists(image.layer.digest));
  int blobs = 0;
  ASSERT_TRUE(m_dst.store.walk([&](const content::BlobInfo&) -> base::Result<void> {
    ++blobs;
    return {};
  }).ok());
  EXPECT_EQ(blobs, 0);
}

TEST_F(ClientTest, FetchOfAPresentBlobIsANoOp) {
  TestImage image = write_image(m_src.store, pattern(100, 'n'));
  // Never pushed: the store already has it, so no request is made.
  auto info = m_client->fetch_blob(ref("never/pushed:1"), image.layer, m_src.store);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->digest, image.layer.digest);
}

TEST_F(ClientTest, PushAnIndexAndPullOnePlatform) {
  TestImage amd = write_image(m_src.store, pattern(1500, '1'));
  TestImage arm = write_image(m_src.store, pattern(2500, '2'));
  oci::Index index;
  index.media_type = std::string(oci::k_media_oci_index);
  index.manifests = {amd.manifest, arm.manifest};
  index.manifests[0].platform = oci::Platform{"amd64", "linux", "", {}, ""};
  index.manifests[1].platform = oci::Platform{"arm64", "linux", "", {}, "v8"};
  std::string index_bytes = oci::serialize(index);
  ASSERT_TRUE(m_src.store.write_blob(index_bytes).ok());
  oci::Descriptor root = oci::describe(index.media_type, index_bytes);

  Reference target = ref("multi/app:2.0");
  auto pushed = push_image(*m_client, target, m_src.store, root);
  ASSERT_TRUE(pushed.ok()) << pushed.error().message;

  auto pulled = pull_image(*m_client, target, m_dst.store, oci::Platform{"arm64", "linux", "", {}, ""});
  ASSERT_TRUE(pulled.ok()) << pulled.error().message;
  EXPECT_EQ(pulled->root.digest, root.digest);
  EXPECT_EQ(pulled->manifest.digest, arm.manifest.digest);
  EXPECT_TRUE(*m_dst.store.exists(arm.layer.digest));
  EXPECT_TRUE(*m_dst.store.exists(arm.config.digest));
  EXPECT_FALSE(*m_dst.store.exists(amd.layer.digest));
  // What content/ needs to tag the pulled image is all there.
  auto blobs = content::image_blobs(m_dst.store, pulled->root);
  ASSERT_TRUE(blobs.ok()) << blobs.error().message;
  EXPECT_EQ(blobs->size(), 4u);  // index, arm64 manifest, config, layer

  auto missing = pull_image(*m_client, target, m_dst.store, oci::Platform{"s390x", "linux", "", {}, ""});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("linux/amd64, linux/arm64/v8"), std::string::npos)
      << missing.error().message;
}

TEST_F(ClientTest, PushAndPullASingleManifestImage) {
  TestImage image = write_image(m_src.store, pattern(800, 's'));
  Reference target = ref("single/app:latest");
  ASSERT_TRUE(push_image(*m_client, target, m_src.store, image.manifest).ok());
  auto pulled = pull_image(*m_client, target, m_dst.store, host_platform());
  ASSERT_TRUE(pulled.ok()) << pulled.error().message;
  EXPECT_EQ(pulled->root, pulled->manifest);
  EXPECT_EQ(*m_dst.store.read(image.layer.digest), *m_src.store.read(image.layer.digest));
}

// Remembers "METHOD path" of every request it forwards.
class RequestLog final : public HttpTransport {
 public:
  explicit RequestLog(HttpTransport& inner) : m_inner(inner) {}
  HttpResult send(const HttpRequest& request) override {
    std::string path = request.url.substr(request.url.find('/', request.url.find("//") + 2));
    {
      std::lock_guard lock(m_mutex);
      m_requests.push_back(request.method + " " + path.substr(0, path.find('?')));
    }
    return m_inner.send(request);
  }
  std::vector<std::string> requests() {
    std::lock_guard lock(m_mutex);
    return m_requests;
  }

 private:
  HttpTransport& m_inner;
  std::mutex m_mutex;
  std::vector<std::string> m_requests;
};

TEST_F(ClientTest, RepushOfAnUnchangedImageOnlyAsksForItsManifest) {
  TestImage image = write_image(m_src.store, pattern(900, 'r'));
  Reference target = ref("repush/app:1");
  auto first = push_image(*m_client, target, m_src.store, image.manifest);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->up_to_date);

  RequestLog log(m_transport);
  ClientOptions options;
  options.transport = &log;
  Client client(options);
  auto again = push_image(client, target, m_src.store, image.manifest);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->up_to_date);
  std::vector<std::string> expected{"GET /v2/", "HEAD /v2/repush/app/manifests/1"};
  EXPECT_EQ(log.requests(), expected);

  // Another image under the same tag is pushed in full and replaces it.
  TestImage other = write_image(m_src.store, pattern(901, 'o'));
  auto replaced = push_image(client, target, m_src.store, other.manifest);
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  EXPECT_FALSE(replaced->up_to_date);
  auto head = client.head_manifest(target);
  ASSERT_TRUE(head.ok() && *head);
  EXPECT_EQ((*head)->digest, other.manifest.digest);
  bool uploaded = false;
  for (const std::string& r : log.requests()) uploaded |= r.find("PUT /v2/repush/app/blobs/uploads/") == 0;
  EXPECT_TRUE(uploaded);
}

// HTTPS with a private CA, trusted through <certs_dir>/<host:port>/ca.crt as
// docker's /etc/docker/certs.d.
TEST(TlsRegistry, CaFromCertsDirIsTrusted) {
  if (auto reason = LocalRegistry::unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
  TempDir tls;
  if (auto error = testing::make_test_certificates(tls.path()); !error.empty()) GTEST_SKIP() << error;
  LocalRegistry registry;
  std::string error = registry.start(LocalRegistryOptions{"", "", tls.path()});
  ASSERT_TRUE(error.empty()) << error;
  std::string certs_dir = tls.path() + "/certs.d";
  std::string host_dir = certs_dir + "/" + registry.domain();
  std::filesystem::create_directories(host_dir);
  testing::write_file(host_dir + "/ca.crt", testing::read_file(tls.path() + "/ca.crt"));

  CurlOptions curl;
  curl.certs_dir = certs_dir;
  CurlTransport transport(curl);
  ClientOptions options;
  options.transport = &transport;
  Client client(options);
  auto endpoint = client.endpoint(registry.domain());
  ASSERT_TRUE(endpoint.ok()) << endpoint.error().message;
  EXPECT_EQ(*endpoint, "https://" + registry.domain());

  Side side, other;
  TestImage image = write_image(side.store, pattern(700, 't'));
  Reference repo = *parse_reference(registry.domain() + "/tls/app:1");
  ASSERT_TRUE(push_image(client, repo, side.store, image.manifest).ok());
  auto pulled = pull_image(client, repo, other.store, host_platform());
  ASSERT_TRUE(pulled.ok()) << pulled.error().message;
  EXPECT_EQ(pulled->manifest.digest, image.manifest.digest);

  // Without the CA the certificate is not trusted, and a TLS registry does
  // not answer plain HTTP either.
  CurlOptions no_ca;
  no_ca.certs_dir = tls.path() + "/none";
  CurlTransport untrusting(no_ca);
  ClientOptions plain;
  plain.transport = &untrusting;
  plain.sleep = [](std::chrono::milliseconds) {};
  Client stranger(plain);
  auto refused = stranger.ping(registry.domain());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("cannot reach registry " + registry.domain()), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("certificate"), std::string::npos) << refused.error().message;
}

// htpasswd basic auth, credentials from a temporary config.json.
class BasicAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LocalRegistryOptions options{"kiln", "s3cret-pass", ""};
    if (auto reason = LocalRegistry::unavailable_reason(options); !reason.empty()) GTEST_SKIP() << reason;
    std::string error = m_registry.start(options);
    ASSERT_TRUE(error.empty()) << error;
    m_paths.docker_config_dir = m_dir.path() + "/docker";
    m_paths.helper_search_path = "/nonexistent";
  }
  std::unique_ptr<Client> client_with(const std::string& user, const std::string& pass) {
    testing::TempDir unused;
    if (!user.empty()) {
      CredentialStore writer(m_paths, m_runner);
      EXPECT_TRUE(writer.store(m_registry.domain(), Credentials{user, pass, ""}).ok());
    }
    m_store = std::make_unique<CredentialStore>(m_paths, m_runner);
    ClientOptions options;
    options.transport = &m_transport;
    options.credentials = m_store.get();
    options.sleep = [](std::chrono::milliseconds) {};
    return std::make_unique<Client>(options);
  }
  Reference ref(const std::string& text) { return *parse_reference(m_registry.domain() + "/" + text); }

  LocalRegistry m_registry;
  TempDir m_dir;
  AuthConfigPaths m_paths;
  SpawnHelperRunner m_runner{"/nonexistent"};
  std::unique_ptr<CredentialStore> m_store;
  CurlTransport m_transport;
  Side m_side;
};

TEST_F(BasicAuthTest, PushAndPullWithCredentialsFromConfigJson) {
  auto client = client_with("kiln", "s3cret-pass");
  TestImage image = write_image(m_side.store, pattern(500, 'b'));
  Reference repo = ref("private/app:1");
  for (const auto& blob : {image.layer, image.config}) {
    auto pushed = client->push_blob(repo, blob, m_side.store);
    ASSERT_TRUE(pushed.ok()) << pushed.error().message;
  }
  ASSERT_TRUE(client->put_manifest(repo, image.manifest.media_type, image.manifest_bytes).ok());
  auto fetched = client->get_manifest(repo);
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_EQ(fetched->descriptor.digest, image.manifest.digest);
}

TEST_F(BasicAuthTest, WithoutCredentialsTheErrorSaysSo) {
  auto client = client_with("", "");
  auto r = client->get_manifest(ref("private/app:1"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("requires a username and password"), std::string::npos) << r.error().message;
}

TEST_F(BasicAuthTest, WrongPasswordIsRejectedWithoutLeakingIt) {
  auto client = client_with("kiln", "wrong-pass");
  auto r = client->get_manifest(ref("private/app:1"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("rejected the configured credentials"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("wrong-pass"), std::string::npos);
}

}  // namespace
}  // namespace registry
