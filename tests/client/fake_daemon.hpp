// A gmsa-brokerd stand-in for the client's unit tests: records requests and
// answers with one fixed lease (or the error it is given).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gmsa/client/client.hpp"

namespace gmsa::client::testing {

class FakeDaemon : public Daemon {
 public:
  Result<Lease> add_lease(const LeaseRequest& r) override {
    requests.push_back(r.credspecs);
    owner = r.owner;
    process = r.process;
    user =
        r.user ? std::optional<std::string>(r.user->username + "@" + r.user->domain) : std::nullopt;
    if (!add_error.empty()) return Error{"gmsa-brokerd", add_error};
    Lease l;
    l.id = "0123456789abcdef0123";
    l.accounts.push_back({"WEBAPP01", "contoso.test", "/s/krbdir/0123456789abcdef0123/WEBAPP01",
                          "/s/krbdir/0123456789abcdef0123/WEBAPP01/krb5cc", 0, "ok", ""});
    return l;
  }
  Result<std::vector<std::string>> delete_lease(const std::string& id) override {
    deleted.push_back(id);
    if (!delete_error.empty()) return Error{"gmsa-brokerd", delete_error};
    return std::vector<std::string>{};
  }
  Result<std::vector<Lease>> list_leases() override { return std::vector<Lease>{}; }
  Result<Lease> get_lease(const std::string&) override { return Error{"", "unused"}; }
  Result<DaemonStatus> status() override { return DaemonStatus{}; }
  Result<std::string> health() override { return std::string("OK"); }

  std::string add_error;
  std::string delete_error;
  std::vector<std::vector<std::string>> requests;
  std::optional<FileOwner> owner;
  std::optional<BoundProcess> process;
  std::optional<std::string> user;  // domainless: "name@domain"
  std::vector<std::string> deleted;
};

}  // namespace gmsa::client::testing
