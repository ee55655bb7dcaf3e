// `kiln build [OPTIONS] PATH`: docker build's flags over kiln's frontend,
// solver and stores. Wiring only; the work is in the modules.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/build_cache.h"
#include "cli/build_definition.h"
#include "cli/build_outputs.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/export_filesystem.h"
#include "cli/progress/progress_display.h"
#include "cli/registry_transfer.h"
#include "cli/interrupt.h"
#include "cli/run_flags.h"
#include "cli/store.h"
#include "content/export/docker_archive.h"
#include "content/export/layout.h"
#include "content/tmp_dir.h"
#include "exec/runner.h"
#include "snapshotter/layer/diff.h"
#include "snapshotter/layer_records.h"
#include "solver/core/solver.h"
#include "solver/ir/image_ref.h"
#include "solver/ops/build/base_image.h"
#include "solver/ops/build/build_executor.h"
#include "solver/ops/build/export_image.h"
#include "solver/ops/build/sqlite_cache_index.h"
#include "solver/ops/gc/lock.h"
#include "solver/ops/context/selection.h"

namespace cli {

namespace {

struct BuildOptions {
  std::string context;
  std::string file;
  std::vector<std::string> tags;
  std::vector<std::string> build_args;
  std::string target;
  bool no_cache = false;
  std::vector<std::string> no_cache_filter;
  std::vector<std::string> labels;
  std::string iidfile;
  std::string metadata_file;
  bool quiet = false;
  std::string progress = "auto";
  std::vector<std::string> outputs;
  std::string platform;
  std::vector<std::string> build_contexts;
  bool explain_cache = false;
  std::vector<std::string> cache_from;
  std::vector<std::string> cache_to;
  std::string root;
  RunFlags run;
  // Registries (docs/registry.md).
  bool pull = false;
  bool push = false;
  RegistryFlags registry;
};

// A failure and the exit code it deserves.
struct Failure {
  base::Error error;
  int code = k_exit_build_failed;
};

// Fills in the quoted Dockerfile line of an error that points into it.
base::Error with_dockerfile_line(base::Error error, const std::string& display,
                                 const std::string& text) {
  if (!error.pos || error.pos->line <= 0 || !error.pos->line_text.empty()) return error;
  if (error.pos->file.empty()) error.pos->file = display;
  std::istringstream lines(text);
  std::string line;
  for (int n = 1; std::getline(lines, line); ++n) {
    if (n == error.pos->line) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      error.pos->line_text = line;
      break;
    }
  }
  return error;
}

std::map<std::string, std::string> parse_labels(const std::vector<std::string>& raw) {
  std::map<std::string, std::string> out;
  for (const std::string& l : raw) {
    size_t eq = l.find('=');
    out[l.substr(0, eq)] = eq == std::string::npos ? std::string() : l.substr(eq + 1);
  }
  return out;
}

void print_explanation(const solver::SolveResult& result, std::ostream& out) {
  out << "cache explanation:\n";
  for (const solver::StepOutcome& step : result.steps) {
    out << "#" << step.number << " " << step.name << ": ";
    switch (step.state) {
      case solver::StepState::cached:
        out << "CACHED\n";
        continue;
      case solver::StepState::failed:
        out << "FAILED";
        break;
      case solver::StepState::canceled:
        out << "CANCELED";
        break;
      case solver::StepState::ran:
        out << "ran";
        break;
    }
    out << "\n";
    for (const std::string& reason : step.reasons) out << "    - " << reason << "\n";
  }
}

// --explain-cache with --progress=json: one object per step, so that
// standard error stays JSON throughout.
void print_explanation_json(const solver::SolveResult& result, std::ostream& out) {
  for (const solver::StepOutcome& step : result.steps) {
    const char* state = "ran";
    if (step.state == solver::StepState::cached) state = "cached";
    if (step.state == solver::StepState::failed) state = "failed";
    if (step.state == solver::StepState::canceled) state = "canceled";
    nlohmann::ordered_json obj = {{"kind", "cache_explanation"},
                                  {"step", step.number},
                                  {"name", step.name},
                                  {"state", state},
                                  {"reasons", step.reasons}};
    out << obj.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  }
}

// An image built without a name stays reachable by its ID (docker's
// <none>:<none>), unless a name already holds that very manifest.
base::Result<void> keep_unnamed_image(Store& st, const oci::Descriptor& manifest, const base::Digest& id) {
  TRY_ASSIGN(auto records, st.images->list());
  for (const content::ImageRecord& r : records)
    if (r.target.digest == manifest.digest) return {};
  return st.images->tag(dangling_name(id), manifest);
}

// Resolves FROM images for the frontend (their ENV, WORKDIR, USER, SHELL and
// ONBUILD matter while lowering); `puller` first pulls what is missing.
frontend::lower::ImageConfigResolver image_resolver(Store& store, BaseImagePuller* puller) {
  return [&store, puller](const std::string& ref,
                          const ir::Platform& platform) -> base::Result<frontend::lower::BaseImageConfig> {
    if (puller) TRY(puller->ensure(ref, platform));
    TRY_ASSIGN(auto image, solver::ops::build::resolve_local_image(*store.blobs, *store.images, ref,
                                                                   platform));
    frontend::lower::BaseImageConfig cfg;
    cfg.env = image.config.config.env;
    cfg.working_dir = image.config.config.working_dir;
    cfg.user = image.config.config.user;
    cfg.shell = image.config.config.shell;
    cfg.onbuild = image.config.config.on_build;
    return cfg;
  };
}

// --build-context NAME=DIR → named_context_key(NAME) → canonical DIR. Only
// local directories: the image, OCI layout, git, URL and target: forms of
// buildx are refused by name.
base::Result<std::map<std::string, std::string>> parse_build_contexts(const std::vector<std::string>& raw) {
  std::map<std::string, std::string> out;
  for (const std::string& spec : raw) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      return base::make_error("--build-context " + spec + ": expected NAME=DIR");
    std::string name = spec.substr(0, eq);
    std::string value = spec.substr(eq + 1);
    for (const char* scheme : {"docker-image://", "oci-layout://", "target:", "http://", "https://", "git@",
                               "git://", "ssh://", "input:"}) {
      if (value.rfind(scheme, 0) == 0) {
        base::Error e = base::make_error("--build-context " + spec + ": " + scheme +
                                         " contexts are not supported by kiln; give a local directory");
        if (std::string(scheme) == "docker-image://")
          e.hint = "for an image, `kiln load` it and use its name in FROM or COPY --from";
        return e;
      }
    }
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "context" || lower == "scratch")
      return base::make_error("--build-context " + spec + ": \"" + name + "\" is reserved");
    TRY_ASSIGN(std::string key, base::with_context(frontend::lower::named_context_key(name), "--build-context"));
    std::error_code ec;
    if (!std::filesystem::is_directory(value, ec))
      return base::make_error("--build-context " + spec + ": " + value + " is not a directory");
    out[key] = std::filesystem::canonical(value, ec).string();
  }
  return out;
}

base::Result<void> write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return base::make_error("cannot write " + path);
  return {};
}

std::optional<Failure> run_build(const BuildOptions& opts, std::ostream& out) {
  auto fail = [](base::Error e, int code) { return std::optional<Failure>(Failure{std::move(e), code}); };
  std::error_code ec;
  if (!std::filesystem::is_directory(opts.context, ec))
    return fail(base::make_error("build context " + opts.context + " is not a directory"), k_exit_usage);
  std::string context = std::filesystem::canonical(opts.context, ec).string();
  std::string file = opts.file.empty() ? context + "/Dockerfile" : opts.file;

  std::vector<std::string> output_specs = opts.outputs;
  if (opts.push) output_specs.push_back("type=registry");  // as buildx's --push
  auto plan = parse_outputs(output_specs);
  if (!plan.ok()) return fail(plan.error(), k_exit_usage);
  for (const OutputSpec& o : plan->outputs)
    if (o.writes_stdout() && ::isatty(STDOUT_FILENO))
      return fail(base::make_error("refusing to write an archive to the terminal: redirect standard output, "
                                   "or give dest=FILE in --output"),
                  k_exit_usage);
  auto named_contexts = parse_build_contexts(opts.build_contexts);
  if (!named_contexts.ok()) return fail(named_contexts.error(), k_exit_usage);
  auto mode = progress::parse_progress_mode(opts.progress);
  if (!mode.ok()) return fail(base::with_context(mode, "--progress").error(), k_exit_usage);
  // --progress=quiet is -q, as with buildx (the image ID on standard output);
  // with json, standard error carries JSON events and nothing else.
  const bool quiet = opts.quiet || *mode == progress::ProgressMode::quiet;
  const bool plain_messages = !quiet && *mode != progress::ProgressMode::json;
  std::vector<std::string> names;
  for (const std::string& t : opts.tags) {
    auto n = ir::normalize_image_ref(t);
    if (!n.ok()) return fail(base::make_error("invalid tag \"" + t + "\": " + n.error().message), k_exit_usage);
    names.push_back(*n);
  }
  for (const OutputSpec& o : plan->outputs)
    for (const std::string& t : o.names) {
      auto n = ir::normalize_image_ref(t);
      if (!n.ok()) return fail(base::make_error("invalid name \"" + t + "\": " + n.error().message), k_exit_usage);
      names.push_back(*n);
    }
  for (const OutputSpec& o : plan->outputs)  // registries: checked before building
    if (o.push && names.empty())
      return fail(base::make_error("push needs a name: give -t NAME or name="), k_exit_usage);
  // SOURCE_DATE_EPOCH from the environment, or as a build arg (which wins,
  // as with buildx); it is also visible to the Dockerfile as an ARG.
  std::optional<int64_t> epoch;
  std::optional<std::string> sde_text;
  if (const char* sde = std::getenv("SOURCE_DATE_EPOCH")) sde_text = sde;
  for (const auto& [key, value] : parse_build_args(opts.build_args))
    if (key == "SOURCE_DATE_EPOCH") sde_text = value;
  if (sde_text) {
    auto parsed = snapshotter::layer::parse_source_date_epoch(*sde_text);
    if (!parsed.ok()) return fail(base::with_context(parsed, "SOURCE_DATE_EPOCH").error(), k_exit_usage);
    epoch = *parsed;
  }

  auto caches = BuildCaches::parse(opts.cache_from, opts.cache_to, opts.registry);
  if (!caches.ok()) return fail(caches.error(), k_exit_usage);

  auto run_config = run_settings(opts.run);
  if (!run_config.ok()) return fail(run_config.error(), k_exit_usage);

  StoreOptions store_opts;
  store_opts.root = opts.root;
  store_opts.snapshots = true;
  // A build commits dozens of small transactions; waiting for the disk at
  // each cost more than the rest of a small build. One sync before success
  // is reported makes them all durable.
  store_opts.durability = content::sql::Durability::on_request;
  auto store = open_store(store_opts);
  if (!store.ok()) return fail(store.error(), k_exit_internal);
  Store& st = **store;
  // Keeps `kiln prune` / `kiln fsck` from collecting what this build makes or uses.
  auto gc_lock = solver::ops::gc::StoreLock::acquire(st.root, solver::ops::gc::StoreLock::Mode::shared,
                                                     solver::ops::gc::StoreLock::Wait::yes);
  if (!gc_lock.ok()) return fail(gc_lock.error(), k_exit_internal);

  // --- registries: FROM / COPY --from images missing locally (every one with
  // --pull) are pulled before the executor resolves them locally.
  std::ostringstream quiet_log;
  BaseImagePuller puller(st, opts.registry, opts.pull, plain_messages ? std::cerr : quiet_log);
  DefinitionRequest request{file, context, opts.target, opts.build_args, opts.platform, "",
                            image_resolver(st, &puller)};
  auto loaded = load_definition(request, *named_contexts);
  if (!loaded.ok()) return fail(loaded.error(), k_exit_build_failed);
  for (const ir::Op& op : loaded->def.ops)
    if (const auto* source = std::get_if<ir::ImageSource>(&op))
      if (auto ensured = puller.ensure(source->ref, source->platform); !ensured.ok())
        return fail(ensured.error(), k_exit_build_failed);
  // --- end registries

  auto hasher = solver::ops::context::ContextHasher::open(st.root);
  if (!hasher.ok()) return fail(hasher.error(), k_exit_internal);
  auto index = solver::ops::build::SqliteCacheIndex::open(st.root, *st.metadata, st.clock);
  if (!index.ok()) return fail(index.error(), k_exit_internal);
  auto records = snapshotter::SqliteLayerRecords::open(st.root);
  if (!records.ok()) return fail(records.error(), k_exit_internal);

  solver::ops::build::BuildServices services{*st.blobs, *st.images, *st.snapshots, *hasher, **index,
                                             st.clock};
  // The sandbox is opened only for builds that run something, so builds
  // without RUN work without root.
  std::unique_ptr<exec::ProcessRunner> processes;
  content::TmpDir run_tmp(st.root + "/tmp");
  solver_ops::exec_step::CacheMounts cache_mounts(st.root + "/cache-mounts");
  std::optional<solver_ops::exec_step::ExecStepRunner> runs;
  if (std::any_of(loaded->def.ops.begin(), loaded->def.ops.end(),
                  [](const ir::Op& op) { return std::holds_alternative<ir::Exec>(op); })) {
    auto opened = exec::open_sandbox_runner();
    if (opened.ok()) {
      processes = std::move(opened).value();
      runs.emplace(*st.snapshots, *processes, run_tmp, &cache_mounts, std::move(run_config).value());
      services.runs = &*runs;
    } else {
      services.no_runs_reason = opened.error().message;
    }
  }
  solver::ops::build::BuildSources sources;
  sources.contexts = *named_contexts;
  sources.contexts["context"] = context;
  sources.source_date_epoch = epoch;
  solver::ops::build::BuildExecutor executor(loaded->def, services, sources);

  solver::SolveOptions solve_opts;
  solve_opts.no_cache = opts.no_cache;
  for (const std::string& s : opts.no_cache_filter) {
    std::string lower = s;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    solve_opts.no_cache_stages.insert(lower);
  }
  std::string abs_file = file == "-" ? "-" : std::filesystem::absolute(file, ec).string();
  // A project is named by the repository of its first tag when it has one
  // (CI tags every build differently and checks out into new directories),
  // else by its context directory and Dockerfile.
  solve_opts.step_scope = names.empty() ? context + "\n" + abs_file + "\n" + opts.target
                                        : "repository:" + repository_of(names.front()) + "\n" +
                                              std::filesystem::path(file).filename().string() + "\n" +
                                              opts.target;
  solve_opts.explain = opts.explain_cache;
  const std::atomic<bool>& interrupted = install_interrupt_handler();
  solve_opts.interrupted = &interrupted;

  auto display = progress::make_progress_sink(quiet ? progress::ProgressMode::quiet : *mode, STDERR_FILENO);
  if (!display.ok()) return fail(display.error(), k_exit_usage);
  // --cache-from: steps the local index lacks may come from imported caches.
  std::ostringstream quiet_cache_log;
  std::ostream& cache_log = plain_messages ? std::cerr : quiet_cache_log;
  solver::CacheIndex& solve_index = caches->solve_index(st, **index, **records, cache_log);
  solver::SolveResult partial;
  auto solved = solver::solve(loaded->def, executor, solve_index, **display, solve_opts, &partial);
  (*display)->finish();
  if (opts.explain_cache) {
    const solver::SolveResult& explained = solved.ok() ? *solved : partial;
    if (*mode == progress::ProgressMode::json) print_explanation_json(explained, std::cerr);
    else print_explanation(explained, std::cerr);
  }
  if (!solved.ok() && interrupted.load()) return fail(base::make_error("build interrupted"), k_exit_interrupted);
  if (!solved.ok())
    return fail(with_dockerfile_line(solved.error(), loaded->display_name, loaded->dockerfile_text),
                k_exit_build_failed);

  solver::ops::build::ImageExportRequest export_request;
  export_request.labels = parse_labels(opts.labels);
  export_request.compression = plan->compression;
  export_request.source_date_epoch = epoch;
  export_request.now_unix_seconds = st.clock.now_unix_seconds();
  export_request.override_platform = !opts.platform.empty();
  auto image = solver::ops::build::export_image(loaded->def, *solved, services, **records, export_request);
  if (!image.ok()) return fail(image.error(), k_exit_internal);

  if (plain_messages) caches->report_imports(std::cerr);
  if (auto exported = caches->export_all(loaded->def, *solved, services, **records, epoch, st, cache_log, !plain_messages);
      !exported.ok())
    return fail(exported.error(), k_exit_build_failed);

  std::vector<content::archives::ExportImage> exports;
  for (const std::string& n : names) exports.push_back({n, image->manifest});
  if (exports.empty()) exports.push_back({"", image->manifest});
  for (const OutputSpec& o : plan->outputs) {
    base::Result<void> written;
    switch (o.type) {
      case OutputType::image:
        for (const std::string& n : names) {
          written = keep_replaced_image(st, n, image->manifest);
          if (written.ok()) written = st.images->tag(n, image->manifest);
          if (!written.ok()) break;
          if (plain_messages) std::cerr << "naming to " << n << " done\n";
        }
        if (written.ok()) {
          written = names.empty() ? keep_unnamed_image(st, image->manifest, image->config.digest)
                                  : forget_unnamed(st, image->config.digest);
        }
        // Durable before "done" is printed, and whatever a later output does.
        if (written.ok()) written = st.metadata->make_durable();
        break;
      case OutputType::oci:
        if (!o.oci_tar) {
          written = content::archives::write_oci_layout_dir(*st.blobs, exports, o.dest);
        } else if (o.writes_stdout()) {
          written = content::archives::write_oci_layout_tar(*st.blobs, exports, STDOUT_FILENO);
        } else {
          written = content::archives::write_oci_layout_tar(*st.blobs, exports, o.dest);
        }
        break;
      case OutputType::docker:
        written = o.writes_stdout() ? content::archives::write_docker_archive(*st.blobs, exports, STDOUT_FILENO)
                                    : content::archives::write_docker_archive(*st.blobs, exports, o.dest);
        break;
      case OutputType::local:
      case OutputType::tar: {
        const auto& terminal = solved->results.at(loaded->def.terminal.op);
        FilesystemExport fs_export{terminal ? terminal->snapshot : std::string(), o.dest, epoch};
        written = o.type == OutputType::local ? export_local(*st.snapshots, fs_export)
                                              : export_tar(*st.snapshots, fs_export);
        break;
      }
    }
    if (!written.ok()) return fail(base::with_context(written, "exporting").error(), k_exit_internal);
  }
  // --- registries: push=true outputs (and --push) push every name.
  for (const OutputSpec& o : plan->outputs) {
    if (!o.push) continue;
    RegistrySession session(opts.registry);
    std::ostringstream push_log;
    for (const std::string& n : names) {
      auto dest = registry::parse_reference(n);
      if (!dest.ok()) return fail(dest.error(), k_exit_usage);
      content::ImageRecord record{n, image->manifest, 0, 0};
      auto pushed = push_from_store(session, st, record, *dest, plain_messages ? std::cerr : push_log);
      if (!pushed.ok()) return fail(pushed.error(), k_exit_build_failed);
      if (plain_messages) std::cerr << "pushed " << n << "@" << pushed->str() << "\n";
    }
    break;  // every name once, however many outputs ask
  }
  // --- end registries

  // The names, layers and step records of this build reach the disk before
  // success is reported (the store's connections commit without waiting).
  if (auto durable = st.metadata->make_durable(); !durable.ok()) return fail(durable.error(), k_exit_internal);

  std::string image_id = image->config.digest.str();
  if (!opts.iidfile.empty()) {
    if (auto w = write_text_file(opts.iidfile, image_id); !w.ok()) return fail(w.error(), k_exit_internal);
  }
  if (!opts.metadata_file.empty()) {
    nlohmann::json meta;
    meta["containerimage.digest"] = image->manifest.digest.str();
    meta["containerimage.config.digest"] = image->config.digest.str();
    std::string joined;
    for (const std::string& n : names) joined += (joined.empty() ? "" : ",") + n;
    if (!joined.empty()) meta["image.name"] = joined;
    if (auto w = write_text_file(opts.metadata_file, meta.dump(2) + "\n"); !w.ok())
      return fail(w.error(), k_exit_internal);
  }
  bool tar_on_stdout = false;
  for (const OutputSpec& o : plan->outputs) tar_on_stdout |= o.writes_stdout();
  // Standard output carries the tar then; the ID would corrupt it.
  if (plain_messages) std::cerr << "writing image " << image_id << " done\n";
  if (quiet && !tar_on_stdout) out << image_id << "\n";
  return std::nullopt;
}

}  // namespace

void register_build(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<BuildOptions>();
  CLI::App* cmd = app.add_subcommand("build", "Build an image from a Dockerfile");
  cmd->add_option("PATH", opts->context, "Build context directory")->required();
  cmd->add_option("-f,--file", opts->file, "Name of the Dockerfile (default: \"PATH/Dockerfile\"; \"-\" reads standard input)");
  cmd->add_option("-t,--tag", opts->tags, "Name and optionally a tag (\"name:tag\"); repeatable")->allow_extra_args(false);
  cmd->add_option("--build-arg", opts->build_args, "Set a build-time variable (K=V, or K to take it from the environment)")->allow_extra_args(false);
  cmd->add_option("--target", opts->target, "Set the target build stage to build");
  cmd->add_flag("--no-cache", opts->no_cache, "Do not use the cache when building the image");
  cmd->add_option("--no-cache-filter", opts->no_cache_filter, "Do not use the cache for the named stages")->allow_extra_args(false);
  cmd->add_option("--label", opts->labels, "Set metadata for an image (K=V)")->allow_extra_args(false);
  cmd->add_option("--iidfile", opts->iidfile, "Write the image ID to the file");
  cmd->add_option("--metadata-file", opts->metadata_file, "Write build result metadata to the file");
  cmd->add_flag("-q,--quiet", opts->quiet, "Suppress the build output and print the image ID on success");
  cmd->add_option("--progress", opts->progress, "Set type of progress output (auto, plain, tty, json, quiet)");
  cmd->add_option("-o,--output", opts->outputs, "Output destination (type=image|oci|docker|local|tar,dest=...; DIR alone is type=local, - a tar on standard output)")->allow_extra_args(false);
  cmd->add_option("--build-context", opts->build_contexts, "Additional build context NAME=DIR, used by FROM NAME and COPY --from=NAME; repeatable")->allow_extra_args(false);
  cmd->add_option("--platform", opts->platform, "Set the target platform (default: this machine's)");
  cmd->add_flag("--explain-cache", opts->explain_cache, "After the build, say for every step why it was or was not cached");
  cmd->add_option("--cache-from", opts->cache_from,
                  "External cache source: type=registry,ref=REF | type=local,src=DIR | REF; repeatable")->allow_extra_args(false);
  cmd->add_option("--cache-to", opts->cache_to,
                  "Cache export destination: type=registry,ref=REF | type=local,dest=DIR, with mode=min|max")->allow_extra_args(false);
  add_root_option(cmd, opts->root);
  add_run_flags(*cmd, opts->run);
  cmd->add_flag("--pull", opts->pull, "Always pull FROM images, even when a local copy exists");
  cmd->add_flag("--push", opts->push, "Push the image to its registry after the build (every -t name)");
  cmd->add_option("--insecure-registry", opts->registry.insecure_registries,
                  "Allow plain HTTP for this registry (HOST[:PORT]); repeatable")->allow_extra_args(false);
  cmd->callback([opts, &ctx] {
    auto failure = run_build(*opts, std::cout);
    if (failure) {
      std::cerr << "error: " << failure->error.render() << "\n";
      ctx.exit_code = failure->code;
      return;
    }
    ctx.exit_code = k_exit_ok;
  });
}

}  // namespace cli
