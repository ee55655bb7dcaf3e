#include "content/fsck.h"

#include <map>
#include <set>

#include "content/content_store.h"
#include "content/metadata.h"

namespace content {

namespace {

void check_blobs(const ContentStore& store, FsckReport& report) {
  auto walked = store.walk([&](const BlobInfo& blob) -> Result<void> {
    ++report.blobs_checked;
    auto reader = store.open_reader(blob.digest);
    if (!reader) {
      report.problems.push_back(reader.error().message);
      return {};
    }
    char buf[65536];
    for (;;) {
      auto n = reader->read(buf, sizeof buf);
      if (!n) {
        report.problems.push_back(n.error().message);
        break;
      }
      if (*n == 0) break;
    }
    return {};
  });
  if (!walked) report.problems.push_back(walked.error().message);
  auto strays = store.stray_entries();
  if (!strays) {
    report.problems.push_back(strays.error().message);
    return;
  }
  for (const auto& name : *strays)
    report.problems.push_back("unexpected entry blobs/sha256/" + name);
}

Result<void> check_references(MetadataStore& metadata, const ContentStore& store,
                              FsckReport& report) {
  TRY_ASSIGN(auto refs, metadata.blob_refs());
  std::map<std::string, std::set<std::string>> image_refs;
  for (const auto& ref : refs) {
    if (ref.kind == RefOwner::lease) continue;
    ++report.references_checked;
    std::string owner = std::string(to_string(ref.kind)) + " \"" + ref.owner + "\"";
    auto digest = base::Digest::parse(ref.digest);
    if (!digest) {
      report.problems.push_back(owner + " references " + digest.error().message);
      continue;
    }
    auto present = store.exists(*digest);
    if (!present) {
      report.problems.push_back(present.error().message);
    } else if (!*present) {
      report.problems.push_back(owner + " references missing blob " + ref.digest);
    }
    if (ref.kind == RefOwner::image) image_refs[ref.owner].insert(ref.digest);
  }
  TRY_ASSIGN(auto images, metadata.list_images());
  for (const auto& image : images)
    if (!image_refs[image.name].contains(image.target.digest.str()))
      report.problems.push_back("image \"" + image.name + "\" does not reference its target " +
                                image.target.digest.str());
  return {};
}

}  // namespace

base::Result<FsckReport> fsck(const std::string& root, const base::Clock& clock) {
  FsckReport report;
  TmpDir tmp(root + "/tmp");
  TRY(tmp.init());
  TRY_ASSIGN(report.tmp_removed, tmp.clean());
  TRY_ASSIGN(auto store, ContentStore::open(root));
  TRY_ASSIGN(auto metadata, MetadataStore::open(root, clock));
  check_blobs(store, report);
  TRY_ASSIGN(auto integrity, metadata.integrity_problems());
  report.problems.insert(report.problems.end(), integrity.begin(), integrity.end());
  TRY(check_references(metadata, store, report));
  TRY_ASSIGN(auto leftovers, store.tmp().unclaimed());
  for (const auto& name : leftovers)
    report.problems.push_back("unclaimed temporary entry tmp/" + name);
  return report;
}

}  // namespace content
