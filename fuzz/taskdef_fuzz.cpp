// Fuzz target: task definition checks. Any input must give a report (no
// crash, no sanitizer report), consistent with its own renderings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "gmsa/taskdef/taskdef.hpp"

namespace {

// Two specs by name, so file:// references reach the credential spec rules.
class MemoryStore final : public gmsa::taskdef::SpecStore {
 public:
  gmsa::Result<std::string> read(std::string_view name) override {
    static const std::map<std::string, std::string, std::less<>> kFiles = {
        {"webapp01.json",
         R"({"CmsPlugins":["ActiveDirectory"],"DomainJoinConfig":{"Sid":"S-1-5-21-1-2-3",)"
         R"("MachineAccountName":"WebApp01","Guid":"e96e0e09-9305-462f-9e44-8a8179722897",)"
         R"("DnsTreeName":"contoso.com","DnsName":"contoso.com","NetBiosName":"CONTOSO"},)"
         R"("ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Name":"WebApp01","Scope":"contoso.com"}]}})"},
        {"domainless.json",
         R"({"CmsPlugins":["ActiveDirectory"],"DomainJoinConfig":{"Sid":"S-1-5-21-1-2-3",)"
         R"("MachineAccountName":"WebApp01","Guid":"e96e0e09-9305-462f-9e44-8a8179722897",)"
         R"("DnsTreeName":"contoso.com","DnsName":"contoso.com","NetBiosName":"CONTOSO"},)"
         R"("ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Name":"WebApp01","Scope":"contoso.com"}],)"
         R"("HostAccountConfig":{"PortableCcgVersion":"1","PluginGUID":"{859E1386-BDB4-49E8-85C7-3070B13920E1}",)"
         R"("PluginInput":{"credentialArn":"arn:aws:secretsmanager:us-east-1:123456789012:secret:x"}}}})"},
    };
    auto it = kFiles.find(name);
    if (it == kFiles.end()) return gmsa::Error{"", "cannot read: No such file or directory"};
    return it->second;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  MemoryStore store;
  const auto report = gmsa::taskdef::check(text, store);
  std::size_t errors = 0;
  for (const auto& f : report.findings) {
    if (f.message.empty()) std::abort();  // every finding says what is wrong
    if (f.severity == gmsa::taskdef::Severity::kError) ++errors;
  }
  if (errors != report.count(gmsa::taskdef::Severity::kError)) std::abort();
  const std::string json = gmsa::taskdef::format_json(report);
  const std::string txt = gmsa::taskdef::format_text(report);
  if (json.empty() || txt.empty() || txt.back() != '\n') std::abort();
  return 0;
}
