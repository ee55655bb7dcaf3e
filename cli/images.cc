// Image commands over the local store, in docker's shape: images, tag, rmi,
// inspect, load, save.
#include <unistd.h>

#include <ctime>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format/go_template.h"
#include "cli/format/image_filter.h"
#include "cli/store.h"
#include "content/export/docker_archive.h"
#include "content/export/load.h"
#include "oci/image_config.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "solver/ir/image_ref.h"
#include "solver/ir/platform.h"
#include "solver/ops/build/base_image.h"

namespace cli {

namespace {

struct ImageListOptions {
  bool quiet = false;
  std::string format;
  std::vector<std::string> filters;
};

struct ImageFacts {
  std::string name;
  oci::Descriptor target;
  oci::Descriptor config_descriptor;
  oci::ImageConfig config;
  int64_t size = 0;  // config + layers
  int64_t created = 0;
};

base::Result<std::unique_ptr<Store>> open_images(const std::string& root) {
  StoreOptions options;
  options.root = root;
  return open_store(options);
}

base::Result<ImageFacts> facts(Store& store, const content::ImageRecord& record) {
  ImageFacts f;
  f.name = record.name;
  f.target = record.target;
  f.created = record.created;
  TRY_ASSIGN(auto image, solver::image::read_base_image(*store.blobs, record.target, ir::host_platform()));
  f.config_descriptor = image.config_descriptor;
  f.config = std::move(image.config);
  f.size = f.config_descriptor.size;
  for (const oci::Descriptor& l : image.layers) f.size += l.size;
  return f;
}

std::string human_size(int64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  std::ostringstream out;
  out << std::setprecision(v < 10 ? 3 : 4) << v << units[u];
  return out.str();
}

// docker's "N units ago" (go-units' HumanDuration).
std::string ago(int64_t then_ns, int64_t now_ns) {
  int64_t d = std::max<int64_t>(now_ns - then_ns, 0);
  int64_t seconds = d / 1'000'000'000;
  int64_t minutes = seconds / 60;
  int64_t hours = (d + 1'800'000'000'000) / 3'600'000'000'000;  // rounded, as go-units does
  std::string text;
  if (seconds < 1) text = "Less than a second";
  else if (seconds == 1) text = "1 second";
  else if (seconds < 60) text = std::to_string(seconds) + " seconds";
  else if (minutes == 1) text = "About a minute";
  else if (minutes < 60) text = std::to_string(minutes) + " minutes";
  else if (hours == 1) text = "About an hour";
  else if (hours < 48) text = std::to_string(hours) + " hours";
  else if (hours < 24 * 7 * 2) text = std::to_string(hours / 24) + " days";
  else if (hours < 24 * 30 * 2) text = std::to_string(hours / 24 / 7) + " weeks";
  else if (hours < 24 * 365 * 2) text = std::to_string(hours / 24 / 30) + " months";
  else text = std::to_string(d / 3'600'000'000'000 / 24 / 365) + " years";
  return text + " ago";
}

int report(const base::Error& e, int code) {
  std::cerr << "error: " << e.render() << "\n";
  return code;
}

// The creation time docker sorts and filters by: the config's `created`
// (clamped by SOURCE_DATE_EPOCH), or the name's time for an image without one.
int64_t created_ns(const ImageFacts& f) {
  if (f.config.created) {
    std::tm tm{};
    if (::strptime(f.config.created->c_str(), "%Y-%m-%dT%H:%M:%S", &tm) != nullptr)
      return static_cast<int64_t>(::timegm(&tm)) * 1'000'000'000;
  }
  return f.created;
}

// docker's CreatedAt: "2024-05-01 10:00:00 +0000 UTC".
std::string created_at(int64_t ns) {
  std::time_t seconds = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
  return text;
}

struct ImageRow {
  format::ImageRowFacts facts;
  std::string id;  // 12 hex digits, or "<broken>"
  std::string digest = "<none>";
  std::string created_since = "?";
  std::string size = "?";
  int64_t created = 0;
};

ImageRow image_row(Store& store, const content::ImageRecord& r, int64_t now) {
  ImageRow row;
  std::string name = familiar_name(r.name);
  row.facts.repository = name;
  row.facts.reference = name;
  row.facts.tag = "<none>";
  size_t at = name.find('@');
  size_t colon = name.rfind(':');
  if (is_dangling_name(r.name)) {
    row.facts.repository = "<none>";
    row.facts.dangling = true;
  } else if (at != std::string::npos) {
    row.facts.repository = name.substr(0, at);  // a digest name: the repository, no tag (docker's <none>)
    row.digest = name.substr(at + 1);
  } else if (colon != std::string::npos && name.find('/', colon) == std::string::npos) {
    row.facts.repository = name.substr(0, colon);
    row.facts.tag = name.substr(colon + 1);
  }
  auto f = facts(store, r);
  if (!f.ok()) {
    row.id = "<broken>";
    return row;
  }
  row.id = f->config_descriptor.digest.hex().substr(0, 12);
  row.created = created_ns(*f);
  row.facts.created_ns = row.created;
  row.facts.labels = f->config.config.labels;
  row.created_since = ago(row.created, now);
  row.size = human_size(f->size);
  return row;
}

nlohmann::json row_fields(const ImageRow& row) {
  return {{"ID", row.id},
          {"Repository", row.facts.repository},
          {"Tag", row.facts.tag},
          {"Digest", row.digest},
          {"CreatedSince", row.created_since},
          {"CreatedAt", row.id == "<broken>" ? std::string("?") : created_at(row.created)},
          {"Size", row.size},
          {"VirtualSize", row.size},
          {"Containers", "N/A"}};
}

int list_images(const std::string& root, const ImageListOptions& options) {
  std::optional<format::GoTemplate> row_format;
  if (!options.format.empty() && options.format != "table") {
    if (options.format.rfind("table ", 0) == 0)
      return report(base::make_error("kiln images --format: the \"table\" directive is not supported; "
                                     "give the template alone"),
                    k_exit_usage);
    auto parsed = format::GoTemplate::parse(options.format == "json" ? "{{json .}}" : options.format);
    if (!parsed.ok()) return report(base::make_error("template parsing error: " + parsed.error().message), k_exit_usage);
    row_format = std::move(*parsed);
  }
  auto store = open_images(root);
  if (!store.ok()) return report(store.error(), k_exit_internal);
  auto filter = format::ImageFilter::parse(options.filters, [&](const std::string& name) -> base::Result<int64_t> {
    TRY_ASSIGN(content::ImageRecord record, find_stored_image(**store, name));
    TRY_ASSIGN(ImageFacts f, facts(**store, record));
    return created_ns(f);
  });
  if (!filter.ok()) return report(filter.error(), k_exit_usage);
  auto records = (*store)->images->list();
  if (!records.ok()) return report(records.error(), k_exit_internal);
  int64_t now = (*store)->clock.now_unix_nanos();
  if (!options.quiet && !row_format)
    std::cout << std::left << std::setw(40) << "REPOSITORY" << std::setw(12) << "TAG" << std::setw(15) << "IMAGE ID"
              << std::setw(24) << "CREATED" << "SIZE\n";
  for (const auto& r : *records) {
    ImageRow row = image_row(**store, r, now);
    auto keep = filter->matches(row.facts);
    if (!keep.ok()) return report(keep.error(), k_exit_usage);
    if (!*keep) continue;
    if (options.quiet) {
      std::cout << row.id << "\n";
    } else if (row_format) {
      auto text = row_format->execute(row_fields(row));
      if (!text.ok()) return report(text.error(), k_exit_usage);
      std::cout << *text << "\n";
    } else {
      std::cout << std::left << std::setw(40) << row.facts.repository << std::setw(12) << row.facts.tag
                << std::setw(15) << row.id << std::setw(24) << row.created_since << row.size << "\n";
    }
  }
  return k_exit_ok;
}

int tag_image(const std::string& root, const std::string& source, const std::string& target) {
  auto store = open_images(root);
  if (!store.ok()) return report(store.error(), k_exit_internal);
  auto record = find_stored_image(**store, source);
  if (!record.ok()) return report(record.error(), k_exit_build_failed);
  auto name = ir::normalize_image_ref(target);
  if (!name.ok()) return report(base::make_error("invalid tag \"" + target + "\": " + name.error().message), k_exit_usage);
  if (name->find('@') != std::string::npos)
    return report(base::make_error("refusing to create a tag with a digest reference: " + target), k_exit_usage);
  auto tagged = (*store)->images->tag(*name, record->target);
  if (!tagged.ok()) return report(tagged.error(), k_exit_internal);
  // A named image is no longer <none>, as in docker.
  if (is_dangling_name(record->name)) {
    auto removed = (*store)->images->remove(record->name);
    if (!removed.ok()) return report(removed.error(), k_exit_internal);
  }
  return k_exit_ok;
}

int remove_images(const std::string& root, const std::vector<std::string>& names, bool force) {
  auto store = open_images(root);
  if (!store.ok()) return report(store.error(), k_exit_internal);
  int code = k_exit_ok;
  for (const std::string& n : names) {
    auto record = find_stored_image(**store, n);
    if (!record.ok()) {
      code = report(record.error(), k_exit_build_failed);
      continue;
    }
    // By name, only that name goes. By ID, the image goes with its names,
    // unless more than one tag or more than one repository names it
    // (docker's isSingleReference; repo@digest names do not count as tags).
    std::vector<content::ImageRecord> doomed{*record};
    auto id = image_id(**store, *record);
    // The name a build without -t gets is its ID: typing it means the ID.
    const bool by_id = !found_by_name(n, *record) || (id.ok() && record->name == id->str());
    if (id.ok() && by_id) {
      auto all = records_of_image(**store, *id);
      if (!all.ok()) {
        code = report(all.error(), k_exit_internal);
        continue;
      }
      std::set<std::string> repositories;
      int tags = 0;
      for (const auto& r : *all) {
        if (is_dangling_name(r.name)) continue;
        if (r.name.find('@') == std::string::npos) ++tags;
        repositories.insert(repository_of(r.name));
      }
      if (!force && (tags > 1 || repositories.size() > 1)) {
        code = report(base::make_error("conflict: unable to delete " + n +
                                       " (must be forced) - image is referenced in multiple repositories"),
                      k_exit_build_failed);
        continue;
      }
      doomed = *all;
    }
    bool failed = false;
    for (const auto& r : doomed) {
      auto removed = (*store)->images->remove(r.name);
      if (!removed.ok()) {
        code = report(removed.error(), k_exit_internal);
        failed = true;
        break;
      }
      if (!is_dangling_name(r.name)) std::cout << "Untagged: " << familiar_name(r.name) << "\n";
    }
    if (failed || !id.ok()) continue;
    auto left = records_of_image(**store, *id);
    if (left.ok() && left->empty()) std::cout << "Deleted: " << id->str() << "\n";
  }
  return code;
}

int inspect_images(const std::string& root, const std::vector<std::string>& names, const std::string& format_text) {
  std::optional<format::GoTemplate> image_format;
  if (!format_text.empty() && format_text != "json") {
    auto parsed = format::GoTemplate::parse(format_text);
    if (!parsed.ok()) return report(base::make_error("template parsing error: " + parsed.error().message), k_exit_usage);
    image_format = std::move(*parsed);
  }
  auto store = open_images(root);
  if (!store.ok()) return report(store.error(), k_exit_internal);
  nlohmann::json out = nlohmann::json::array();
  int code = k_exit_ok;
  for (const std::string& n : names) {
    auto record = find_stored_image(**store, n);
    if (!record.ok()) {
      code = report(record.error(), k_exit_build_failed);
      continue;
    }
    auto f = facts(**store, *record);
    if (!f.ok()) {
      code = report(f.error(), k_exit_internal);
      continue;
    }
    nlohmann::json config = oci::to_json(f->config);
    nlohmann::json j;
    j["Id"] = f->config_descriptor.digest.str();
    nlohmann::json tags = nlohmann::json::array();
    if (auto all = records_of_image(**store, f->config_descriptor.digest); all.ok()) {
      for (const auto& r : *all)
        if (!is_dangling_name(r.name) && r.name.find('@') == std::string::npos) tags.push_back(familiar_name(r.name));
    }
    j["RepoTags"] = tags;
    j["Digest"] = record->target.digest.str();
    j["Created"] = config.value("created", "");
    j["Author"] = config.value("author", "");
    j["Architecture"] = f->config.architecture;
    j["Os"] = f->config.os;
    if (!f->config.variant.empty()) j["Variant"] = f->config.variant;
    j["Config"] = config.value("config", nlohmann::json::object());
    // docker inspect's spelling of the config's rootfs.
    nlohmann::json layers = nlohmann::json::array();
    for (const base::Digest& d : f->config.rootfs.diff_ids) layers.push_back(d.str());
    j["RootFS"] = {{"Type", "layers"}, {"Layers", layers}};
    j["Size"] = f->size;
    if (image_format) {
      // docker prints each image's result on a line as soon as it has it.
      auto text = image_format->execute(j);
      if (!text.ok()) return report(text.error(), k_exit_usage);
      std::cout << *text << "\n";
      continue;
    }
    out.push_back(j);
  }
  if (!image_format) std::cout << out.dump(4) << "\n";
  return code;
}

int load_images(const std::string& root, const std::string& input, bool quiet) {
  auto store = open_images(root);
  if (!store.ok()) return report(store.error(), k_exit_internal);
  content::archives::LoadOptions options;
  options.normalize_name = [](std::string_view name) -> base::Result<std::string> {
    return ir::normalize_image_ref(name);
  };
  auto loaded = input.empty() || input == "-"
                    ? content::archives::load_archive_fd(*(*store)->blobs, *(*store)->images, STDIN_FILENO,
                                                         "standard input", options)
                    : content::archives::load_archive(*(*store)->blobs, *(*store)->images, input, options);
  if (!loaded.ok()) return report(loaded.error(), k_exit_build_failed);
  if (!quiet) {
    for (const auto& image : *loaded) {
      if (!image.named) {
        std::cout << "Loaded image ID: " << image.names.front() << "\n";
        continue;
      }
      for (const std::string& n : image.names) std::cout << "Loaded image: " << familiar_name(n) << "\n";
    }
  }
  return k_exit_ok;
}

int save_images(const std::string& root, const std::string& output, const std::vector<std::string>& names) {
  if (output.empty() && ::isatty(STDOUT_FILENO))
    return report(base::make_error("refusing to write an archive to a terminal; use -o FILE or redirect"), k_exit_usage);
  auto store = open_images(root);
  if (!store.ok()) return report(store.error(), k_exit_internal);
  std::vector<content::archives::ExportImage> images;
  for (const std::string& n : names) {
    auto record = find_stored_image(**store, n);
    if (!record.ok()) return report(record.error(), k_exit_build_failed);
    // By ID, docker's archive names no tag; by name, that name.
    bool named = found_by_name(n, *record) && !is_dangling_name(record->name);
    images.push_back({named ? record->name : std::string(), record->target});
  }
  auto written = output.empty() ? content::archives::write_docker_archive(*(*store)->blobs, images, STDOUT_FILENO)
                                : content::archives::write_docker_archive(*(*store)->blobs, images, output);
  if (!written.ok()) return report(written.error(), k_exit_internal);
  return k_exit_ok;
}

}  // namespace

void register_image_commands(CLI::App& app, CommandContext& ctx) {
  auto root = std::make_shared<std::string>();
  auto add_root = [root](CLI::App* cmd) {
    add_root_option(cmd, *root);
  };

  auto list_options = std::make_shared<ImageListOptions>();
  CLI::App* images = app.add_subcommand("images", "List images");
  images->add_option("-f,--filter", list_options->filters,
                     "Filter output based on conditions provided (dangling, label, reference, before, since)");
  images->add_option("--format", list_options->format, "Format output using a custom template");
  images->add_flag("-q,--quiet", list_options->quiet, "Only show image IDs");
  add_root(images);
  images->callback([root, list_options, &ctx] { ctx.exit_code = list_images(*root, *list_options); });

  auto tag_args = std::make_shared<std::vector<std::string>>();
  CLI::App* tag = app.add_subcommand("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
  tag->add_option("SOURCE_IMAGE TARGET_IMAGE", *tag_args, "Source and target names")->required()->expected(2);
  add_root(tag);
  tag->callback([root, tag_args, &ctx] { ctx.exit_code = tag_image(*root, (*tag_args)[0], (*tag_args)[1]); });

  auto rmi_args = std::make_shared<std::vector<std::string>>();
  CLI::App* rmi = app.add_subcommand("rmi", "Remove one or more images");
  auto rmi_force = std::make_shared<bool>(false);
  rmi->add_option("IMAGE", *rmi_args, "Images to remove")->required();
  rmi->add_flag("-f,--force", *rmi_force, "Remove an image given by ID with all its names");
  add_root(rmi);
  rmi->callback([root, rmi_args, rmi_force, &ctx] { ctx.exit_code = remove_images(*root, *rmi_args, *rmi_force); });

  auto inspect_args = std::make_shared<std::vector<std::string>>();
  CLI::App* inspect = app.add_subcommand("inspect", "Display detailed information on images");
  inspect->add_option("IMAGE", *inspect_args, "Images to inspect")->required();
  auto inspect_format = std::make_shared<std::string>();
  inspect->add_option("-f,--format", *inspect_format, "Format output using a custom template");
  add_root(inspect);
  inspect->callback([root, inspect_args, inspect_format, &ctx] {
    ctx.exit_code = inspect_images(*root, *inspect_args, *inspect_format);
  });

  auto input = std::make_shared<std::string>();
  auto load_quiet = std::make_shared<bool>(false);
  CLI::App* load = app.add_subcommand("load", "Load images from a docker-archive or OCI archive");
  load->add_option("-i,--input", *input, "Read from a tar archive file or OCI layout directory, instead of STDIN");
  load->add_flag("-q,--quiet", *load_quiet, "Suppress the load output");
  add_root(load);
  load->callback([root, input, load_quiet, &ctx] { ctx.exit_code = load_images(*root, *input, *load_quiet); });

  auto output = std::make_shared<std::string>();
  auto save_args = std::make_shared<std::vector<std::string>>();
  CLI::App* save = app.add_subcommand("save", "Save one or more images to a tar archive (docker-archive)");
  save->add_option("-o,--output", *output, "Write to a file, instead of STDOUT");
  save->add_option("IMAGE", *save_args, "Images to save")->required();
  add_root(save);
  save->callback([root, output, save_args, &ctx] { ctx.exit_code = save_images(*root, *output, *save_args); });
}

}  // namespace cli
