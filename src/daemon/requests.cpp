#include "gmsa/daemon/requests.hpp"

#include <strings.h>

#include <nlohmann/json.hpp>

#include "gmsa/credspec/credspec.hpp"
#include "gmsa/daemon/fs.hpp"

namespace gmsa::daemon {

Result<std::vector<GmsaRef>> refs_from_credspecs(const std::vector<std::string>& specs,
                                                 const DaemonConfig& cfg) {
  if (specs.empty())
    return make_error("credspec_contents", "at least one credential spec is required");
  std::vector<GmsaRef> out;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    std::string field = "credspec_contents[" + std::to_string(i) + "]";
    auto spec = credspec::parse(specs[i]);
    if (!spec) return make_error(field, spec.error().what());
    if (spec->accounts.empty()) return make_error(field, "names no gMSA");
    const std::string& domain = spec->domain_join.dns_name;
    if (strcasecmp(domain.c_str(), cfg.domain.c_str()) != 0) {
      return make_error(field, "domain '" + domain + "' is not served here (this daemon serves '" +
                                   cfg.domain + "')");
    }
    GmsaRef ref{spec->accounts[0].name, cfg.domain};
    if (!ref.account.empty() && ref.account.back() == '$') ref.account.pop_back();
    for (const auto& prev : out) {
      if (strcasecmp(prev.account.c_str(), ref.account.c_str()) == 0) {
        return make_error(field, "gMSA '" + ref.account + "' is already in this request");
      }
    }
    out.push_back(std::move(ref));
  }
  return out;
}

namespace {
Status check_username(const std::string& u) {
  if (u.empty()) return make_error("username", "is required");
  if (u.size() > 256) return make_error("username", "longer than 256 characters");
  for (char c : u) {
    if (c == '@' || c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return make_error("username",
                        "must be a bare user name (no '@', '/', '\\' or control characters)");
    }
  }
  return ok_status();
}
}  // namespace

Result<Authority> load_domainless_secret(const std::string& path) {
  auto text = fs::read_file(path, 64 * 1024);
  if (!text) return text.error();
  auto j = nlohmann::json::parse(*text, nullptr, false);
  secure_wipe(text->data(), text->size());
  if (j.is_discarded() || !j.is_object()) return make_error(path, "not a JSON object");
  Authority a;
  a.kind = Authority::Kind::kUser;
  for (const char* k : {"username", "password", "domainName"}) {
    if (!j.contains(k) || !j[k].is_string())
      return make_error(path, std::string(k) + " missing or not a string");
  }
  a.username = j["username"].get<std::string>();
  a.domain = j["domainName"].get<std::string>();
  std::string pw = j["password"].get<std::string>();
  a.password = SecretBytes::from_string(pw);
  secure_wipe(pw.data(), pw.size());
  auto& stored = j["password"].get_ref<std::string&>();
  secure_wipe(stored.data(), stored.size());
  if (auto st = check_username(a.username); !st) return make_error(path, st.error().what());
  return a;
}

Result<Authority> domainless_authority(const std::string& username, const std::string& password,
                                       const std::string& domain, const DaemonConfig& cfg) {
  if (username.empty() && password.empty() && domain.empty()) {
    if (cfg.domainless_secret.empty()) {
      return make_error("username", "is required (no domainless secret file is configured)");
    }
    return load_domainless_secret(cfg.domainless_secret);
  }
  if (auto st = check_username(username); !st) return st.error();
  if (password.empty()) return make_error("password", "is required");
  if (domain.empty()) return make_error("domain", "is required");
  if (strcasecmp(domain.c_str(), cfg.domain.c_str()) != 0) {
    return make_error(
        "domain", "'" + domain + "' is not served here (this daemon serves '" + cfg.domain + "')");
  }
  Authority a;
  a.kind = Authority::Kind::kUser;
  a.username = username;
  a.domain = cfg.domain;
  a.password = SecretBytes::from_string(password);
  return a;
}

}  // namespace gmsa::daemon
