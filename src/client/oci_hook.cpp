#include "gmsa/client/oci_hook.hpp"

#include <nlohmann/json.hpp>

#include "gmsa/client/run.hpp"

namespace gmsa::client {
namespace {

using json = nlohmann::json;

const std::string kAnnotationField = std::string("annotations.") + kCredspecAnnotation;
const std::string kDomainlessField = std::string("annotations.") + kDomainlessAnnotation;

// An annotation naming a host file: absent = nullopt.
Result<std::optional<std::string>> file_annotation(const json& annotations, const char* key,
                                                   const std::string& field,
                                                   const std::string& what) {
  if (!annotations.contains(key)) return std::optional<std::string>();
  const json& v = annotations[key];
  if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().front() != '/') {
    return Error{field, "must be the absolute path of " + what};
  }
  return std::optional<std::string>(v.get<std::string>());
}

// process.user.uid / gid: absent = 0 (the OCI default), else a uint32.
Result<std::uint32_t> user_id(const json& config, const char* key) {
  const std::string field = std::string("process.user.") + key;
  if (!config.contains("process")) return 0u;
  const json& p = config["process"];
  if (!p.is_object()) return Error{"process", "not an object"};
  if (!p.contains("user")) return 0u;
  const json& u = p["user"];
  if (!u.is_object()) return Error{"process.user", "not an object"};
  if (!u.contains(key)) return 0u;
  const json& v = u[key];
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > 0xfffffffeULL) {
    return Error{field, "must be a user or group id (0..4294967294)"};
  }
  return static_cast<std::uint32_t>(v.get<std::uint64_t>());
}

// parent[key], created as `empty` (an array or object) when absent; null
// when it is there with another type.
json* member(json& parent, const char* key, json empty) {
  const json::value_t want = empty.type();
  json& v = parent[key];
  if (v.is_null()) v = std::move(empty);
  return v.type() == want ? &v : nullptr;
}

// The container's changes; `config` is known to be an object.
Status add_identity(json& config, const Lease& lease, const HookContext& ctx) {
  if (lease.accounts.size() != 1) {
    return Error{"lease", "lease " + lease.id + " has " + std::to_string(lease.accounts.size()) +
                              " accounts; one gMSA per container is supported"};
  }
  json* mounts = member(config, "mounts", json::array());
  if (!mounts) return Error{"mounts", "not an array"};
  for (const auto& m : *mounts) {
    if (m.is_object() && m.contains("destination") && m["destination"].is_string() &&
        m["destination"].get<std::string>() == kContainerKrbDir) {
      return Error{"mounts",
                   std::string("the container already mounts something at ") + kContainerKrbDir};
    }
  }
  mounts->push_back({{"destination", kContainerKrbDir},
                     {"type", "bind"},
                     {"source", lease.accounts[0].path},
                     {"options", {"rbind", "ro", "nosuid", "nodev", "noexec"}}});
  json* process = member(config, "process", json::object());
  if (!process) return Error{"process", "not an object"};
  json* env = member(*process, "env", json::array());
  if (!env) return Error{"process.env", "not an array"};
  json kept = json::array();
  for (const auto& e : *env) {
    if (!e.is_string()) return Error{"process.env", "holds a value that is not a string"};
    if (e.get<std::string>().rfind("KRB5CCNAME=", 0) != 0) kept.push_back(e);
  }
  kept.push_back(std::string("KRB5CCNAME=") + kContainerCcache);
  *env = std::move(kept);
  json* hooks = member(config, "hooks", json::object());
  if (!hooks) return Error{"hooks", "not an object"};
  json* poststop = member(*hooks, "poststop", json::array());
  if (!poststop) return Error{"hooks.poststop", "not an array"};
  poststop->push_back(
      {{"path", ctx.self_path},
       {"args", {"gmsa", "hook", "poststop", "--socket", ctx.socket, "--lease", lease.id}}});
  return ok_status();
}

}  // namespace

Result<std::string> hook_precreate(Daemon& daemon, std::string_view config_text,
                                   const HookContext& ctx) {
  json config = json::parse(config_text, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded() || !config.is_object()) {
    return Error{"config", "not a JSON object (podman passes the OCI runtime configuration)"};
  }
  if (!config.contains("annotations")) return std::string(config_text);
  const json& annotations = config["annotations"];
  if (!annotations.is_object()) return Error{"annotations", "not an object"};
  if (!annotations.contains(kCredspecAnnotation)) return std::string(config_text);
  auto path =
      file_annotation(annotations, kCredspecAnnotation, kAnnotationField, "a credential spec file");
  if (!path) return path.error();
  auto secret = file_annotation(annotations, kDomainlessAnnotation, kDomainlessField,
                                "a domainless secret file");
  if (!secret) return secret.error();
  auto uid = user_id(config, "uid");
  if (!uid) return uid.error();
  auto gid = user_id(config, "gid");
  if (!gid) return gid.error();
  auto spec = ctx.read_file(**path);
  if (!spec) return Error{kAnnotationField, spec.error().what()};
  LeaseRequest req;
  req.credspecs.push_back(std::move(spec).value());
  req.owner = FileOwner{*uid, *gid, std::nullopt};
  if (*secret) {
    auto user = ctx.read_secret(**secret);
    if (!user) return Error{kDomainlessField, user.error().what()};
    req.user = std::move(user).value();
  }
  auto lease = daemon.add_lease(req);
  if (!lease) return Error{"lease", lease.error().what()};
  if (auto st = add_identity(config, *lease, ctx); !st) {
    (void)daemon.delete_lease(lease->id);
    return st.error();
  }
  try {
    return config.dump();
  } catch (const json::exception&) {  // a path or socket name that is not UTF-8
    (void)daemon.delete_lease(lease->id);
    return Error{"config", "cannot be written back: a path in it is not UTF-8"};
  }
}

Status hook_poststop(Daemon& daemon, const std::string& lease_id) {
  auto d = daemon.delete_lease(lease_id);
  if (d) return ok_status();
  const std::string gone = "no lease " + lease_id;
  const std::string m = d.error().message;
  if (m.size() >= gone.size() && m.compare(m.size() - gone.size(), gone.size(), gone) == 0) {
    return ok_status();
  }
  return d.error();
}

}  // namespace gmsa::client
