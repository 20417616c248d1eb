// Fuzzes the OCI hook's precreate stage (the one parser in the client): any
// configuration text either passes, comes back as JSON, or is refused, and a
// refusal never leaves a lease behind.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "gmsa/client/oci_hook.hpp"

namespace {

using namespace gmsa::client;

class OneLease : public Daemon {
 public:
  gmsa::Result<Lease> add_lease(const LeaseRequest&) override {
    ++added;
    Lease l;
    l.id = "0123456789abcdef0123";
    l.accounts.push_back({"WEBAPP01", "contoso.test", "/s/krbdir/0123456789abcdef0123/WEBAPP01",
                          "/s/krbdir/0123456789abcdef0123/WEBAPP01/krb5cc", 0, "ok", ""});
    return l;
  }
  gmsa::Result<std::vector<std::string>> delete_lease(const std::string&) override {
    ++deleted;
    return std::vector<std::string>{};
  }
  gmsa::Result<std::vector<Lease>> list_leases() override { return std::vector<Lease>{}; }
  gmsa::Result<Lease> get_lease(const std::string&) override { return gmsa::Error{"", "unused"}; }
  gmsa::Result<DaemonStatus> status() override { return DaemonStatus{}; }
  gmsa::Result<std::string> health() override { return std::string("OK"); }
  int added = 0, deleted = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  OneLease d;
  HookContext ctx{
      "/usr/bin/gmsa", "/run/gmsa.sock",
      [](const std::string&) -> gmsa::Result<std::string> { return std::string("{}"); },
      [](const std::string&) -> gmsa::Result<DomainlessUser> {
        return DomainlessUser{"alice", "contoso.test", gmsa::SecretBytes::from_string("pw")};
      }};
  auto out = hook_precreate(d, text, ctx);
  if (!out) {
    if (d.added != d.deleted) __builtin_trap();  // a refusal leaves no lease
    return 0;
  }
  if (d.deleted != 0) __builtin_trap();
  if (d.added == 0) {
    if (*out != text) __builtin_trap();  // no annotation: untouched
    return 0;
  }
  auto back = nlohmann::json::parse(*out, nullptr, false);
  if (back.is_discarded() || !back.is_object()) __builtin_trap();
  return 0;
}
