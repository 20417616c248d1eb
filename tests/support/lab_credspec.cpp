#include "lab_credspec.hpp"

#include <nlohmann/json.hpp>

#include "gmsa/credspec/credspec.hpp"
#include "gmsa/lab/config.hpp"

namespace gmsa::testing {

std::string lab_credspec(const std::string& account) {
  const lab::LabConfig lab;
  credspec::CredentialSpec spec;
  spec.cms_plugins = {"ActiveDirectory"};
  spec.domain_join = {lab.domain_sid, account,    lab.domain_guid,
                      lab.domain,     lab.domain, lab.netbios};
  spec.accounts = {{account, lab.domain}};
  // One line, as the ECS agent passes credspec_contents.
  return nlohmann::json::parse(credspec::write(spec)).dump();
}

}  // namespace gmsa::testing
