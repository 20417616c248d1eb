// The podman OCI hook's decisions, against a fake gmsa-brokerd: what the
// precreate stage adds to a container's configuration, what it refuses, and
// that no lease survives a refusal.
#include "gmsa/client/oci_hook.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fake_daemon.hpp"
#include "gmsa/client/run.hpp"

namespace gmsa::client {
namespace {

using json = nlohmann::json;
using testing::FakeDaemon;

HookContext context() {
  return {"/usr/bin/gmsa", "/run/gmsa.sock",
          [](const std::string& path) -> Result<std::string> {
            if (path == "/specs/webapp01.json") return std::string("{spec}");
            return Error{"", "cannot read " + path};
          },
          [](const std::string& path) -> Result<DomainlessUser> {
            if (path == "/specs/alice.json") {
              return DomainlessUser{"alice", "contoso.test", SecretBytes::from_string("pw")};
            }
            return Error{path, "cannot read"};
          }};
}

// What podman passes: the annotation, a user, one env entry and one mount.
json config(const std::string& spec = "/specs/webapp01.json") {
  return json::parse(R"({
    "ociVersion": "1.0.2-dev",
    "process": {"user": {"uid": 1000, "gid": 1001}, "env": ["PATH=/bin", "KRB5CCNAME=/tmp/x"],
                "args": ["psql"]},
    "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
    "annotations": {"io.container.manager": "libpod",
                    "io.github.gmsa-broker.credspec": ")" +
                     spec + R"("}
  })");
}

TEST(OciHook, PrecreateAddsTheMountTheCcacheAndItsOwnPoststop) {
  FakeDaemon d;
  auto out = hook_precreate(d, config().dump(), context());
  ASSERT_TRUE(out.ok()) << out.error().what();
  auto c = json::parse(*out);
  ASSERT_EQ(d.requests.size(), 1u);
  EXPECT_EQ(d.requests[0], std::vector<std::string>{"{spec}"});
  ASSERT_TRUE(d.owner.has_value());  // the container's user owns the files
  EXPECT_EQ(d.owner->uid, 1000u);
  EXPECT_EQ(d.owner->gid, 1001u);
  EXPECT_FALSE(d.process.has_value());  // no process to bind to yet
  EXPECT_FALSE(d.user.has_value());     // domain-joined
  EXPECT_EQ(c["mounts"].size(), 2u);
  EXPECT_EQ(c["mounts"][1], json::parse(R"({"destination": "/var/credentials-fetcher/krbdir",
      "type": "bind", "source": "/s/krbdir/0123456789abcdef0123/WEBAPP01",
      "options": ["rbind", "ro", "nosuid", "nodev", "noexec"]})"));
  EXPECT_EQ(
      c["process"]["env"],
      json::parse(R"(["PATH=/bin", "KRB5CCNAME=FILE:/var/credentials-fetcher/krbdir/krb5cc"])"));
  EXPECT_EQ(c["hooks"]["poststop"],
            json::parse(R"([{"path": "/usr/bin/gmsa", "args": ["gmsa", "hook", "poststop",
                "--socket", "/run/gmsa.sock", "--lease", "0123456789abcdef0123"]}])"));
  // Everything else is as podman wrote it.
  c.erase("hooks");
  json want = config();
  want["mounts"] = c["mounts"];
  want["process"]["env"] = c["process"]["env"];
  EXPECT_EQ(c, want);
  EXPECT_TRUE(d.deleted.empty());
}

TEST(OciHook, ASecretAnnotationMakesTheLeaseDomainless) {
  FakeDaemon d;
  json c = config();
  c["annotations"]["io.github.gmsa-broker.domainless-secret"] = "/specs/alice.json";
  auto out = hook_precreate(d, c.dump(), context());
  ASSERT_TRUE(out.ok()) << out.error().what();
  EXPECT_EQ(d.user, "alice@contoso.test");
  EXPECT_EQ(d.owner->uid, 1000u);
  EXPECT_EQ(out->find("pw"), std::string::npos);  // the password stays out of the config
  c["annotations"]["io.github.gmsa-broker.domainless-secret"] = "/specs/nosuch.json";
  FakeDaemon d2;
  auto bad = hook_precreate(d2, c.dump(), context());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().what(),
            "annotations.io.github.gmsa-broker.domainless-secret: /specs/nosuch.json: cannot read");
  EXPECT_TRUE(d2.requests.empty());
  c["annotations"]["io.github.gmsa-broker.domainless-secret"] = "alice.json";
  bad = hook_precreate(d2, c.dump(), context());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().what(),
            "annotations.io.github.gmsa-broker.domainless-secret: must be the absolute path of a "
            "domainless secret file");
}

TEST(OciHook, KeepsHooksPodmanAlreadySetAndDefaultsTheUserToRoot) {
  FakeDaemon d;
  json c = config();
  c["process"].erase("user");
  c["hooks"] = json::parse(R"({"poststop": [{"path": "/bin/other"}], "prestart": []})");
  auto out = hook_precreate(d, c.dump(), context());
  ASSERT_TRUE(out.ok()) << out.error().what();
  auto o = json::parse(*out);
  EXPECT_EQ(d.owner->uid, 0u);
  EXPECT_EQ(d.owner->gid, 0u);
  ASSERT_EQ(o["hooks"]["poststop"].size(), 2u);
  EXPECT_EQ(o["hooks"]["poststop"][0]["path"], "/bin/other");
  EXPECT_EQ(o["hooks"]["prestart"], json::array());
}

TEST(OciHook, WithoutTheAnnotationTheConfigPassesThroughUntouched) {
  FakeDaemon d;
  json c = config();
  c["annotations"].erase("io.github.gmsa-broker.credspec");
  const std::string text = "  " + c.dump(2) + "\n";  // byte for byte, spacing included
  auto out = hook_precreate(d, text, context());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, text);
  c.erase("annotations");
  out = hook_precreate(d, c.dump(), context());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, c.dump());
  EXPECT_TRUE(d.requests.empty());
}

TEST(OciHook, BadInputNamesTheFieldAndLeavesNoLease) {
  struct Case {
    std::string config;
    std::string error;
  };
  json bad_uid = config();
  bad_uid["process"]["user"]["uid"] = -1;
  json bad_gid = config();
  bad_gid["process"]["user"]["gid"] = "0";
  json relative = config("specs/webapp01.json");
  json missing = config("/specs/nosuch.json");
  json number = config();
  number["annotations"]["io.github.gmsa-broker.credspec"] = 7;
  const std::string ann = "annotations.io.github.gmsa-broker.credspec: ";
  const std::vector<Case> cases = {
      {"", "config: not a JSON object (podman passes the OCI runtime configuration)"},
      {"[1]", "config: not a JSON object (podman passes the OCI runtime configuration)"},
      {"{\"annotations\": \"x\"}", "annotations: not an object"},
      {relative.dump(), ann + "must be the absolute path of a credential spec file"},
      {number.dump(), ann + "must be the absolute path of a credential spec file"},
      {missing.dump(), ann + "cannot read /specs/nosuch.json"},
      {bad_uid.dump(), "process.user.uid: must be a user or group id (0..4294967294)"},
      {bad_gid.dump(), "process.user.gid: must be a user or group id (0..4294967294)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.config);
    FakeDaemon d;
    auto out = hook_precreate(d, c.config, context());
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().what(), c.error);
    EXPECT_TRUE(d.requests.empty());  // refused before asking for a lease
  }
}

TEST(OciHook, AConfigThatCannotTakeTheIdentityGetsItsLeaseDeleted) {
  struct Case {
    std::function<void(json&)> change;
    std::string error;
  };
  const std::vector<Case> cases = {
      {[](json& c) {
         c["mounts"].push_back({{"destination", kContainerKrbDir}, {"source", "/elsewhere"}});
       },
       "mounts: the container already mounts something at /var/credentials-fetcher/krbdir"},
      {[](json& c) { c["mounts"] = "x"; }, "mounts: not an array"},
      {[](json& c) {
         c["process"]["env"] = {"A=1", 2};
       },
       "process.env: holds a value that is not a string"},
      {[](json& c) { c["hooks"] = json::array(); }, "hooks: not an object"},
      {[](json& c) {
         c["hooks"] = {{"poststop", 1}};
       },
       "hooks.poststop: not an array"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.error);
    FakeDaemon d;
    json c = config();
    k.change(c);
    auto out = hook_precreate(d, c.dump(), context());
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().what(), k.error);
    EXPECT_EQ(d.deleted, std::vector<std::string>{"0123456789abcdef0123"});
  }
}

TEST(OciHook, TheDaemonsRefusalIsPassedOn) {
  FakeDaemon d;
  d.add_error = "accounts[0]: WEBAPP01: directory: no gMSA WEBAPP01$";
  auto out = hook_precreate(d, config().dump(), context());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().what(),
            "lease: gmsa-brokerd: accounts[0]: WEBAPP01: directory: no gMSA WEBAPP01$");
  EXPECT_TRUE(d.deleted.empty());
}

TEST(OciHook, PoststopDeletesAndALeaseAlreadyGoneIsFine) {
  FakeDaemon d;
  EXPECT_TRUE(hook_poststop(d, "0123456789abcdef0123").ok());
  EXPECT_EQ(d.deleted, std::vector<std::string>{"0123456789abcdef0123"});
  d.delete_error = "lease_id: no lease 0123456789abcdef0123";
  EXPECT_TRUE(hook_poststop(d, "0123456789abcdef0123").ok());
  d.delete_error = "gmsa-brokerd is not running";
  auto st = hook_poststop(d, "0123456789abcdef0123");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().what(), "gmsa-brokerd: gmsa-brokerd is not running");
}

}  // namespace
}  // namespace gmsa::client
