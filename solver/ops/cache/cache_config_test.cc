#include "solver/ops/cache/cache_config.h"

#include <gtest/gtest.h>

namespace solver::ops::cache {
namespace {

base::Digest digest_of(const std::string& text) { return base::Sha256::of(text); }

CacheConfig sample() {
  CacheConfig config;
  CacheLayer base_layer;
  base_layer.blob.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  base_layer.blob.digest = digest_of("base blob");
  base_layer.blob.size = 9;
  base_layer.diff_id = digest_of("base tar");
  CacheLayer step_layer = base_layer;
  step_layer.blob.digest = digest_of("step blob");
  step_layer.diff_id = digest_of("step tar");
  step_layer.compression = snapshotter::layer::Compression::zstd;
  step_layer.level = 3;
  step_layer.tar_size = 2048;
  config.layers = {base_layer, step_layer};
  config.records = {{digest_of("key 1").str(), {0}, "1700000000"}, {digest_of("key 2").str(), {0, 1}, "1700000001"}};
  return config;
}

TEST(CacheConfig, RoundTripsAndIsCanonical) {
  std::string text = serialize_cache_config(sample());
  auto parsed = parse_cache_config(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().render();
  EXPECT_EQ(*parsed, sample());
  EXPECT_EQ(serialize_cache_config(*parsed), text);
}

TEST(CacheConfig, RefusesWhatIsNotAKilnCache) {
  auto other = parse_cache_config(R"({"mediaType":"application/vnd.buildkit.cacheconfig.v0","layers":[],"records":[]})");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("not a kiln build cache"), std::string::npos) << other.error().message;
  EXPECT_FALSE(parse_cache_config("{").ok());
  EXPECT_FALSE(parse_cache_config("[]").ok());
}

TEST(CacheConfig, NamesTheBrokenField) {
  nlohmann::json doc = nlohmann::json::parse(serialize_cache_config(sample()));
  auto message = [](const nlohmann::json& d) {
    auto r = parse_cache_config(d.dump());
    return r.ok() ? std::string("accepted") : r.error().message;
  };
  nlohmann::json out_of_range = doc;
  out_of_range["records"][1]["layers"][1] = 7;
  EXPECT_NE(message(out_of_range).find("records[1].layers[1]"), std::string::npos) << message(out_of_range);
  nlohmann::json twice = doc;
  twice["records"][1]["key"] = twice["records"][0]["key"];
  EXPECT_NE(message(twice).find("listed twice"), std::string::npos) << message(twice);
  nlohmann::json bad_digest = doc;
  bad_digest["layers"][0]["diffID"] = "sha256:nothex";
  EXPECT_NE(message(bad_digest).find("layers[0].diffID"), std::string::npos) << message(bad_digest);
  nlohmann::json bad_compression = doc;
  bad_compression["layers"][1]["compression"] = "lz4";
  EXPECT_NE(message(bad_compression).find("compression"), std::string::npos) << message(bad_compression);
}

}  // namespace
}  // namespace solver::ops::cache
