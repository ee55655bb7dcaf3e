// Whole-image transfers: bounded parallelism, progress events, and the first
// failure stopping the rest, against the real registry and an in-test server.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "oci/media_types.h"
#include "registry/image_transfer.h"
#include "registry/testing/fake_server.h"
#include "registry/testing/local_registry.h"

namespace registry {
namespace {

using testing::FakeRequest;
using testing::FakeResponse;
using testing::FakeServer;
using testing::http_response;
using testing::TempDir;

// Wraps CurlTransport, holding each blob request a little so that parallel
// ones overlap, and recording how many were in flight at once.
class CountingTransport final : public HttpTransport {
 public:
  HttpResult send(const HttpRequest& request) override {
    bool blob = request.url.find("/blobs/") != std::string::npos;
    if (!blob) return m_inner.send(request);
    int now = ++m_in_flight;
    int seen = m_max.load();
    while (now > seen && !m_max.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
    HttpResult result = m_inner.send(request);
    --m_in_flight;
    return result;
  }
  int max_in_flight() const { return m_max.load(); }
  void reset() { m_max = 0; }

 private:
  CurlTransport m_inner;
  std::atomic<int> m_in_flight{0};
  std::atomic<int> m_max{0};
};

// A guard that, like a metadata Lease, must not be entered twice at once.
class ExclusiveGuard final : public content::PublishGuard {
 public:
  Result<void> protect(const base::Digest& digest) override {
    if (++m_inside > 1) m_overlapped = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    m_protected.push_back(digest.str());
    --m_inside;
    return {};
  }
  std::atomic<int> m_inside{0};
  std::atomic<bool> m_overlapped{false};
  std::vector<std::string> m_protected;
};

struct Image {
  oci::Descriptor manifest;
  std::vector<oci::Descriptor> blobs;  // config, then layers
};

std::string descriptor_json(const oci::Descriptor& d) {
  return R"({"mediaType":")" + d.media_type + R"(","digest":")" + d.digest.str() + R"(","size":)" +
         std::to_string(d.size) + "}";
}

// An image of `layers` distinct layers (of arbitrary bytes), written to `store`.
Image make_image(const content::ContentStore& store, int layers, size_t layer_size = 100000) {
  Image image;
  std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  image.blobs.push_back(oci::describe(std::string(oci::k_media_oci_config), config));
  EXPECT_TRUE(store.write_blob(config).ok());
  for (int i = 0; i < layers; ++i) {
    std::string bytes(layer_size, '\0');
    for (size_t j = 0; j < bytes.size(); ++j) bytes[j] = static_cast<char>((j * 31 + static_cast<size_t>(i) * 7) % 251);
    image.blobs.push_back(oci::describe(std::string(oci::k_media_oci_layer_tar), bytes));
    EXPECT_TRUE(store.write_blob(bytes).ok());
  }
  std::string manifest = R"({"schemaVersion":2,"mediaType":")" + std::string(oci::k_media_oci_manifest) +
                         R"(","config":)" + descriptor_json(image.blobs[0]) + R"(,"layers":[)";
  for (size_t i = 1; i < image.blobs.size(); ++i) manifest += (i > 1 ? "," : "") + descriptor_json(image.blobs[i]);
  manifest += "]}";
  image.manifest = oci::describe(std::string(oci::k_media_oci_manifest), manifest);
  EXPECT_TRUE(store.write_blob(manifest).ok());
  return image;
}

// Entries left in a store's tmp/ (partial blobs), besides its lock file.
int tmp_entries(const std::string& root) {
  int n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(root + "/tmp", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec))
    if (it->path().filename() != ".lock") ++n;
  return n;
}

TEST(Transfer, PushAndPullMoveLayersInParallelWithinTheBound) {
  if (std::string why = testing::LocalRegistry::unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  testing::LocalRegistry reg;
  ASSERT_EQ(reg.start(), "");
  TempDir dir;
  auto source = *content::ContentStore::open(dir.path() + "/source");
  auto target = *content::ContentStore::open(dir.path() + "/target");
  Image image = make_image(source, 8);
  CountingTransport transport;
  ClientOptions options;
  options.transport = &transport;
  Client client(options);
  Reference ref = *parse_reference(reg.domain() + "/par/app:1");

  auto pushed = push_image(client, ref, source, image.manifest);
  ASSERT_TRUE(pushed.ok()) << pushed.error().message;
  EXPECT_GE(transport.max_in_flight(), 2);
  EXPECT_LE(transport.max_in_flight(), 4);

  transport.reset();
  std::map<std::string, std::vector<TransferEvent::Kind>> events;
  std::map<std::string, int64_t> last_bytes;
  std::atomic<int> concurrent_callbacks{0};
  bool overlapped = false;
  TransferOptions transfer;
  transfer.max_concurrent = 2;
  transfer.progress = [&](const TransferEvent& e) {
    if (++concurrent_callbacks > 1) overlapped = true;
    events[e.blob->digest.str()].push_back(e.kind);
    if (e.kind == TransferEvent::Kind::bytes) last_bytes[e.blob->digest.str()] = e.bytes;
    --concurrent_callbacks;
  };
  ExclusiveGuard guard;
  auto pulled = pull_image(client, ref, target, host_platform(), &guard, transfer);
  ASSERT_TRUE(pulled.ok()) << pulled.error().message;
  EXPECT_FALSE(guard.m_overlapped.load()) << "the guard is shared by the parallel downloads, one at a time";
  EXPECT_EQ(guard.m_protected.size(), image.blobs.size() + 1);  // the manifest too
  EXPECT_EQ(pulled->manifest.digest, image.manifest.digest);
  EXPECT_EQ(transport.max_in_flight(), 2);
  EXPECT_FALSE(overlapped) << "progress callbacks must be serialized";
  ASSERT_EQ(events.size(), image.blobs.size());
  for (const auto& blob : image.blobs) {
    EXPECT_EQ(*target.read(blob.digest), *source.read(blob.digest));
    auto& kinds = events[blob.digest.str()];
    ASSERT_GE(kinds.size(), 3u) << blob.digest.str();
    EXPECT_EQ(kinds.front(), TransferEvent::Kind::started);
    EXPECT_EQ(kinds.back(), TransferEvent::Kind::done);
    EXPECT_EQ(last_bytes[blob.digest.str()], blob.size);
  }
  EXPECT_EQ(tmp_entries(dir.path() + "/target"), 0);
}

// Serves `image` from `store`, except that blob `bad` comes back with other bytes.
FakeServer::Handler serve(const content::ContentStore& store, const Image& image, const std::string& bad,
                          std::atomic<int>* blob_gets = nullptr) {
  return [&store, image, bad, blob_gets](const FakeRequest& r) -> FakeResponse {
    if (r.target == "/v2/") return http_response(200, {});
    if (r.target.find("/manifests/") != std::string::npos)
      return http_response(200, {{"Content-Type", image.manifest.media_type}}, *store.read(image.manifest.digest));
    size_t at = r.target.find("/blobs/");
    if (at == std::string::npos) return http_response(404, {});
    if (blob_gets) ++*blob_gets;
    std::string digest = r.target.substr(at + 7);
    auto parsed = base::Digest::parse(digest);
    if (!parsed.ok()) return http_response(404, {});
    std::string bytes = *store.read(*parsed);
    if (digest == bad) bytes[0] = static_cast<char>(bytes[0] ^ 1);
    return http_response(200, {}, bytes);
  };
}

TEST(Transfer, FirstFailingBlobStopsTheRestAndIsReported) {
  TempDir dir;
  auto source = *content::ContentStore::open(dir.path() + "/source");
  auto target = *content::ContentStore::open(dir.path() + "/target");
  Image image = make_image(source, 5);
  const std::string bad = image.blobs[0].digest.str();  // the config: the first blob to move
  std::atomic<int> blob_gets{0};
  FakeServer server(serve(source, image, bad, &blob_gets));
  CurlTransport transport;
  ClientOptions options;
  options.transport = &transport;
  Client client(options);
  TransferOptions serial;
  serial.max_concurrent = 1;
  auto pulled = pull_image(client, *parse_reference(server.domain() + "/app:1"), target, host_platform(), nullptr, serial);
  ASSERT_FALSE(pulled.ok());
  EXPECT_NE(pulled.error().message.find(bad), std::string::npos) << pulled.error().message;
  EXPECT_EQ(blob_gets.load(), 1) << "no layer should start after the config failed";
  for (const auto& blob : image.blobs) EXPECT_FALSE(*target.exists(blob.digest)) << blob.digest.str();
  EXPECT_EQ(tmp_entries(dir.path() + "/target"), 0);
}

TEST(Transfer, ParallelFailureNamesTheBadLayerAndLeavesNoPartialBlob) {
  TempDir dir;
  auto source = *content::ContentStore::open(dir.path() + "/source");
  auto target = *content::ContentStore::open(dir.path() + "/target");
  Image image = make_image(source, 6);
  const std::string bad = image.blobs[3].digest.str();
  FakeServer server(serve(source, image, bad));
  CurlTransport transport;
  ClientOptions options;
  options.transport = &transport;
  Client client(options);
  auto pulled = pull_image(client, *parse_reference(server.domain() + "/app:1"), target, host_platform());
  ASSERT_FALSE(pulled.ok());
  EXPECT_NE(pulled.error().message.find("downloading blob " + bad), std::string::npos) << pulled.error().message;
  EXPECT_FALSE(*target.exists(image.blobs[3].digest));
  EXPECT_EQ(tmp_entries(dir.path() + "/target"), 0);
}

TEST(Transfer, StalledBlobTimesOutClearly) {
  TempDir dir;
  auto source = *content::ContentStore::open(dir.path() + "/source");
  auto target = *content::ContentStore::open(dir.path() + "/target");
  Image image = make_image(source, 1);
  auto inner = serve(source, image, "");
  FakeServer server([&](const FakeRequest& r) {
    // Headers and the first bytes of the layer, then nothing for longer than the stall limit.
    if (r.target.find("/blobs/" + image.blobs[1].digest.str()) != std::string::npos) {
      std::this_thread::sleep_for(std::chrono::milliseconds(4000));
      FakeResponse late = http_response(200, {}, *source.read(image.blobs[1].digest));
      late.cut_after = late.raw.size() / 2;
      return late;
    }
    return inner(r);
  });
  CurlOptions curl;
  curl.stall_seconds = std::chrono::seconds(1);
  CurlTransport transport(curl);
  ClientOptions options;
  options.transport = &transport;
  options.retry.max_attempts = 1;
  Client client(options);
  auto started = std::chrono::steady_clock::now();
  auto pulled = pull_image(client, *parse_reference(server.domain() + "/app:1"), target, host_platform());
  ASSERT_FALSE(pulled.ok());
  // Before the server answers, with room for a loaded machine: the stall
  // limit is 1 s, curl checks it about once a second.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(3900));
  // The fake server answers one request at a time, so while it holds the
  // layer back every blob fetched beside it stalls too: the error names
  // whichever stalled blob curl gave up on first.
  const std::string& message = pulled.error().message;
  bool names_a_blob = false;
  for (const auto& blob : image.blobs) names_a_blob |= message.find(blob.digest.str()) != std::string::npos;
  EXPECT_TRUE(names_a_blob) << message;
  EXPECT_NE(message.find("too slow"), std::string::npos) << message;
  EXPECT_FALSE(*target.exists(image.blobs[1].digest));
}

}  // namespace
}  // namespace registry
