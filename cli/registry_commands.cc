// `kiln pull`, `kiln push`, `kiln login` and `kiln logout`: docker's commands
// over registry/ and the local store (docs/registry.md).
#include <unistd.h>

#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/registry_setup.h"
#include "cli/registry_transfer.h"
#include "cli/store.h"
#include "registry/auth.h"
#include "registry/auth_config.h"
#include "solver/ops/build/push_compression.h"
#include "solver/ops/gc/lock.h"

namespace cli {
namespace {

int report(const base::Error& e, int code) {
  std::cerr << "error: " << e.render() << "\n";
  return code;
}

base::Result<std::unique_ptr<Store>> open_for_transfer(const std::string& root) {
  StoreOptions options;
  options.root = root;
  return open_store(options);
}

int pull(const std::string& root, const RegistryFlags& flags, const std::string& name, const std::string& platform_text,
         bool quiet) {
  auto ref = registry::parse_reference(name);
  if (!ref.ok()) return report(ref.error(), k_exit_usage);
  auto platform = registry_platform(platform_text);
  if (!platform.ok()) return report(platform.error(), k_exit_usage);
  if (ref->tag == "latest" && name.find(":latest") == std::string::npos && !ref->digest && !quiet)
    std::cout << "Using default tag: latest\n";
  auto store = open_for_transfer(root);
  if (!store.ok()) return report(store.error(), k_exit_internal);
  auto gc_lock = solver::ops::gc::StoreLock::acquire((*store)->root, solver::ops::gc::StoreLock::Mode::shared,
                                                     solver::ops::gc::StoreLock::Wait::yes);
  if (!gc_lock.ok()) return report(gc_lock.error(), k_exit_internal);
  RegistrySession session(flags);
  std::ostringstream discard;
  auto pulled = pull_to_store(session, **store, *ref, *platform, quiet ? discard : std::cout);
  if (!pulled.ok()) return report(pulled.error(), k_exit_build_failed);
  std::cout << pulled->name << "\n";
  return k_exit_ok;
}

// What `dest` holds locally, then the compressed forms earlier pushes left
// under its repository's digest names.
base::Result<std::vector<oci::Descriptor>> compressed_candidates(Store& store, const registry::Reference& dest) {
  std::vector<oci::Descriptor> out;
  TRY_ASSIGN(auto held, store.images->get(dest.str()));
  if (held) out.push_back(held->target);
  const std::string repo_digest_prefix = dest.name() + "@";
  TRY_ASSIGN(auto images, store.images->list());
  for (const content::ImageRecord& image : images)
    if (image.name.starts_with(repo_digest_prefix)) out.push_back(image.target);
  return out;
}

int push(const std::string& root, const RegistryFlags& flags, const std::string& name, const std::string& dest_text,
         bool quiet) {
  auto dest = registry::parse_reference(dest_text.empty() ? name : dest_text);
  if (!dest.ok()) return report(dest.error(), k_exit_usage);
  auto store = open_for_transfer(root);
  if (!store.ok()) return report(store.error(), k_exit_internal);
  // Held from the lookup of the image until the destination names what was
  // pushed, so that a concurrent prune cannot take its blobs (or the
  // compressed layers made below) in between.
  auto gc_lock = solver::ops::gc::StoreLock::acquire((*store)->root, solver::ops::gc::StoreLock::Mode::shared,
                                                     solver::ops::gc::StoreLock::Wait::yes);
  if (!gc_lock.ok()) return report(gc_lock.error(), k_exit_internal);
  auto record = find_stored_image(**store, name);
  if (!record.ok()) {
    base::Error e = record.error();
    e.hint = "build it with `kiln build -t " + name + "`, or `kiln pull` it";
    return report(e, k_exit_build_failed);
  }
  // A destination pinned by digest names the stored manifest itself: it is
  // pushed as stored. Otherwise uncompressed layers are compressed, unless
  // DEST or an earlier push to its repository (kept as REPO@DIGEST, as
  // docker keeps repo digests) already holds the compressed form.
  base::Result<solver::ops::build::PushableImage> pushable = solver::ops::build::PushableImage{record->target, 0};
  if (!dest->digest) {
    auto candidates = compressed_candidates(**store, *dest);
    if (!candidates.ok()) return report(candidates.error(), k_exit_internal);
    pushable = solver::ops::build::pushable_image(*(*store)->blobs, record->target, *candidates, {});
    if (!pushable.ok()) return report(pushable.error(), k_exit_build_failed);
  }
  content::ImageRecord travelling = *record;
  travelling.target = pushable->target;
  RegistrySession session(flags);
  std::ostringstream discard;
  auto pushed = push_from_store(session, **store, travelling, *dest, quiet ? discard : std::cout);
  if (!pushed.ok()) return report(pushed.error(), k_exit_build_failed);
  if (pushable->target.digest != record->target.digest) {
    // DEST may be the source name, which the next build moves back to the
    // uncompressed image: the repo digest keeps the compressed form findable.
    auto named = (*store)->images->tag(dest->name() + "@" + pushable->target.digest.str(), pushable->target);
    if (!named.ok()) return report(named.error(), k_exit_internal);
  }
  if (quiet) std::cout << registry::familiar_string(*dest) << "\n";
  return k_exit_ok;
}

// "https://index.docker.io/v1/", "http://host:5000/x", "host:5000" → the
// domain kiln keys credentials by ("docker.io", "host:5000").
std::string login_domain(const std::string& server) {
  if (server.empty()) return std::string(registry::k_docker_hub_domain);
  return registry::normalize_auth_key(server);
}

// Checks `credentials` against the registry as docker login does: an
// authenticated GET /v2/ must succeed.
base::Result<void> verify_login(RegistrySession& session, const std::string& domain,
                                const registry::Credentials& credentials) {
  TRY(session.client().ping(domain));
  TRY_ASSIGN(std::string base_url, session.client().endpoint(domain));
  registry::Authenticator auth(registry::url_origin(base_url), credentials, session.transport());
  registry::HttpRequest request;
  request.url = base_url + "/v2/";
  for (int attempt = 0; attempt < 2; ++attempt) {
    request.headers.clear();
    TRY_ASSIGN(auto header, auth.authorization({}));
    if (header) request.headers.emplace_back("Authorization", *header);
    registry::HttpResult result = session.transport().send(request);
    if (auto* failure = std::get_if<registry::TransportError>(&result)) return failure->error;
    auto& response = std::get<registry::HttpResponse>(result);
    if (response.status == 200) return {};
    if (response.status != 401 || attempt == 1)
      return base::make_error("login to " + domain + " failed: " +
                              (response.status == 401 ? std::string("unauthorized: incorrect username or password")
                                                      : registry::describe_error_response(response)));
    TRY(auth.on_unauthorized(response, {}));
  }
  return {};
}

int login(const RegistryFlags& flags, const std::string& server, const std::string& username, std::string password,
          bool password_stdin, bool password_given) {
  if (password_stdin && password_given)
    return report(base::make_error("--password and --password-stdin are mutually exclusive"), k_exit_usage);
  if (username.empty())
    return report(base::make_error("username is required (-u USER)"), k_exit_usage);
  if (password_stdin) {
    password.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  } else if (!password_given) {
    return report(base::make_error("a password is required: use --password-stdin (or -p)"), k_exit_usage);
  } else {
    std::cerr << "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n";
  }
  if (password.empty()) return report(base::make_error("password is empty"), k_exit_usage);
  std::string domain = login_domain(server);
  registry::Credentials credentials{username, password, {}};
  RegistrySession session(flags);
  if (auto ok = verify_login(session, domain, credentials); !ok.ok()) return report(ok.error(), k_exit_build_failed);
  if (auto stored = session.credentials().store(domain, credentials); !stored.ok())
    return report(stored.error(), k_exit_internal);
  std::cout << "Login Succeeded\n";
  return k_exit_ok;
}

int logout(const RegistryFlags& flags, const std::string& server) {
  std::string domain = login_domain(server);
  RegistrySession session(flags);
  std::string shown = registry::auth_key_for(domain);
  auto erased = session.credentials().erase(domain);
  if (!erased.ok()) return report(erased.error(), k_exit_internal);
  if (*erased) std::cout << "Removing login credentials for " << shown << "\n";
  else std::cout << "Not logged in to " << shown << "\n";
  return k_exit_ok;
}

}  // namespace

void register_registry_commands(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<RegistryFlags>();
  auto add_insecure = [flags](CLI::App* cmd) {
    cmd->add_option("--insecure-registry", flags->insecure_registries,
                    "Allow plain HTTP and unverified TLS for this registry (HOST[:PORT]); repeatable "
                    "(also $KILN_INSECURE_REGISTRIES)")
        ->allow_extra_args(false);
  };
  auto root = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);

  auto pull_name = std::make_shared<std::string>();
  auto platform = std::make_shared<std::string>();
  CLI::App* pull_cmd = app.add_subcommand("pull", "Download an image from a registry");
  pull_cmd->add_option("NAME", *pull_name, "NAME[:TAG|@DIGEST]")->required();
  pull_cmd->add_option("--platform", *platform,
                       "Pull this platform of a multi-platform image (default: this machine's)");
  pull_cmd->add_flag("-q,--quiet", *quiet, "Suppress verbose output");
  add_root_option(pull_cmd, *root);
  add_insecure(pull_cmd);
  pull_cmd->callback([=, &ctx] { ctx.exit_code = pull(*root, *flags, *pull_name, *platform, *quiet); });

  auto push_args = std::make_shared<std::vector<std::string>>();
  CLI::App* push_cmd = app.add_subcommand("push", "Upload an image to a registry");
  push_cmd->add_option("NAME DEST", *push_args,
                       "NAME[:TAG] of a stored image, and optionally another reference to push it to")
      ->required()
      ->expected(1, 2);
  push_cmd->add_flag("-q,--quiet", *quiet, "Suppress verbose output");
  add_root_option(push_cmd, *root);
  add_insecure(push_cmd);
  push_cmd->callback([=, &ctx] {
    ctx.exit_code = push(*root, *flags, (*push_args)[0], push_args->size() > 1 ? (*push_args)[1] : "", *quiet);
  });

  auto server = std::make_shared<std::string>();
  auto username = std::make_shared<std::string>();
  auto password = std::make_shared<std::string>();
  auto password_stdin = std::make_shared<bool>(false);
  CLI::App* login_cmd = app.add_subcommand("login", "Log in to a registry (writes docker's config.json)");
  login_cmd->add_option("SERVER", *server, "Registry host[:port] (default: Docker Hub)");
  login_cmd->add_option("-u,--username", *username, "Username");
  CLI::Option* password_opt = login_cmd->add_option("-p,--password", *password, "Password (prefer --password-stdin)");
  login_cmd->add_flag("--password-stdin", *password_stdin, "Take the password from stdin");
  add_insecure(login_cmd);
  login_cmd->callback([=, &ctx] {
    ctx.exit_code = login(*flags, *server, *username, *password, *password_stdin, password_opt->count() > 0);
  });

  auto logout_server = std::make_shared<std::string>();
  CLI::App* logout_cmd = app.add_subcommand("logout", "Log out from a registry (erases its config.json entry)");
  logout_cmd->add_option("SERVER", *logout_server, "Registry host[:port] (default: Docker Hub)");
  logout_cmd->callback([=, &ctx] { ctx.exit_code = logout(*flags, *logout_server); });
}

}  // namespace cli
