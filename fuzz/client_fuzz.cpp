// Fuzzes the OCI hook's precreate stage (the one parser in the client): any
// configuration text either passes, comes back as JSON, or is refused, and a
// refusal never leaves a lease behind.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fake_daemon.hpp"
#include "gmsa/client/oci_hook.hpp"

using gmsa::client::testing::FakeDaemon;
using namespace gmsa::client;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  FakeDaemon d;
  HookContext ctx{
      "/usr/bin/gmsa", "/run/gmsa.sock",
      [](const std::string&) -> gmsa::Result<std::string> { return std::string("{}"); },
      [](const std::string&) -> gmsa::Result<DomainlessUser> {
        return DomainlessUser{"alice", "contoso.test", gmsa::SecretBytes::from_string("pw")};
      }};
  auto out = hook_precreate(d, text, ctx);
  if (!out) {
    if (d.requests.size() != d.deleted.size()) __builtin_trap();  // a refusal leaves no lease
    return 0;
  }
  if (!d.deleted.empty()) __builtin_trap();
  if (d.requests.empty()) {
    if (*out != text) __builtin_trap();  // no annotation: untouched
    return 0;
  }
  auto back = nlohmann::json::parse(*out, nullptr, false);
  if (back.is_discarded() || !back.is_object()) __builtin_trap();
  return 0;
}
