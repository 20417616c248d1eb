#include "pipelines.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmsa/blob/managed_password.hpp"
#include "gmsa/common/encoding.hpp"
#include "gmsa/keys/keys.hpp"
#include "gmsa/lab/process.hpp"
#include "gmsa/ldap/directory.hpp"
#include "stats.hpp"

namespace gmsa::bench {
namespace {

using namespace std::chrono_literals;

std::string netns_dir(const PipelineEnv& env) { return "/etc/netns/" + env.lab->config.netns; }

std::vector<std::string> client_env(const PipelineEnv& env) {
  return {"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
          "KRB5_CONFIG=" + env.lab->facts["krb5Config"].get<std::string>(),
          "KRB5CCNAME=FILE:" + env.work_dir + "/host.cc", "LDAPSASL_NOCANON=on",
          "LDAPCONF=/dev/null"};
}

Status run(const PipelineEnv& env, std::vector<std::string> argv, const std::string& out,
           const SecretBytes* stdin_secret = nullptr) {
  lab::SpawnOptions o;
  o.argv = std::move(argv);
  o.env = client_env(env);
  o.log_file = out;
  o.new_session = false;
  if (stdin_secret != nullptr) {
    o.stdin_data.assign(reinterpret_cast<const char*>(stdin_secret->data()), stdin_secret->size());
  }
  std::remove(out.c_str());
  auto st = lab::run(o, 30s);
  secure_wipe(o.stdin_data.data(), o.stdin_data.size());
  if (!st.ok()) return st.error();
  if (*st != 0) {
    std::ifstream f(out);
    std::stringstream s;
    s << f.rdbuf();
    return Error{o.argv[0], "exit " + std::to_string(*st) + ": " + s.str()};
  }
  return ok_status();
}

}  // namespace

Status prepare_baseline(const PipelineEnv& env) {
  std::filesystem::create_directories(netns_dir(env));
  std::ofstream h(netns_dir(env) + "/hosts");
  h << "127.0.0.1 localhost\n";
  for (const auto& dc : env.lab->facts["dcs"]) {
    h << dc["address"].get<std::string>() << " " << dc["name"].get<std::string>() << "\n";
  }
  std::ofstream(netns_dir(env) + "/resolv.conf") << "nameserver 127.0.0.1\n";
  if (!h) return Error{netns_dir(env), "cannot write hosts"};
  return ok_status();
}

void cleanup_baseline(const PipelineEnv& env) {
  std::error_code ec;
  std::filesystem::remove_all(netns_dir(env), ec);
}

Result<double> netns_exec_overhead(const PipelineEnv& env) {
  Status st = ok_status();
  double ms = time_ms([&] {
    st = run(env, {"/usr/bin/ip", "netns", "exec", env.lab->config.netns, "/bin/true"},
             env.work_dir + "/true.txt");
  });
  if (!st.ok()) return st.error();
  return ms;
}

namespace {

// The peer's kinit reads the password as one line from its standard input:
// a password whose UTF-8 form holds a newline or a NUL cannot go that way.
bool pipeable(const SecretBytes& utf8) {
  const auto* p = utf8.data();
  return std::find_if(p, p + utf8.size(), [](std::uint8_t c) { return c == '\n' || c == 0; }) ==
         p + utf8.size();
}

// kinit as the gMSA from a keytab written with our keys module.
Status kinit_from_keytab(const PipelineEnv& env, const blob::ManagedPassword& pw,
                         const std::string& account, const std::string& principal) {
  const auto& f = env.lab->facts;
  const std::string w = env.work_dir;
  auto k = keys::derive(pw.current.span(), f["domain"].get<std::string>(), account + "$");
  if (!k) return k.error();
  auto ctx = krb::Context::open(f["krb5Config"].get<std::string>());
  if (!ctx) return ctx.error();
  std::vector<krb::KeytabKey> keys;
  keys.push_back({1, 18, std::move(k->aes256)});
  keys.push_back({1, 17, std::move(k->aes128)});
  krb::FileOwnership own;
  own.sync = false;
  if (auto st = krb::write_keytab_file(*ctx, w + "/gmsa.keytab", principal, keys, own); !st) {
    return st;
  }
  return run(
      env,
      {"/usr/bin/kinit", "-k", "-t", w + "/gmsa.keytab", "-c", "FILE:" + w + "/gmsa.cc", principal},
      w + "/kinit-gmsa.txt");
}

}  // namespace

Result<BaselineSample> baseline_once(const PipelineEnv& env, const std::string& account,
                                     BaselineKinit how) {
  const auto& f = env.lab->facts;
  const std::string w = env.work_dir;
  const std::string principal = account + "$@" + f["realm"].get<std::string>();
  Status st = ok_status();
  BaselineSample out;
  out.ms = time_ms([&] {
    // 1. Host TGT from the host keytab.
    st = run(env,
             {"/usr/bin/kinit", "-k", "-t", f["hostKeytab"].get<std::string>(),
              f["hostPrincipal"].get<std::string>()},
             w + "/kinit-host.txt");
    if (!st.ok()) return;
    // 2. The password blob over sealed GSSAPI.
    st = run(
        env,
        {"/usr/bin/ip", "netns", "exec", env.lab->config.netns, "/usr/bin/ldapsearch", "-LLL", "-Q",
         "-o", "ldif-wrap=no", "-Y", "GSSAPI", "-O", "minssf=56", "-H",
         "ldap://" + f["dcs"][0]["name"].get<std::string>(), "-b", f["baseDn"].get<std::string>(),
         "(sAMAccountName=" + account + "$)", "msDS-ManagedPassword"},
        w + "/search.ldif");
    if (!st.ok()) return;
    std::ifstream in(w + "/search.ldif");
    std::string line, b64;
    while (std::getline(in, line)) {
      if (line.rfind("msDS-ManagedPassword:: ", 0) == 0) b64 = line.substr(23);
    }
    auto blob_bytes = from_base64(b64);
    if (!blob_bytes) {
      st = Error{"ldapsearch", "no msDS-ManagedPassword in the answer"};
      return;
    }
    SecretBytes blob_secret(blob_bytes->data(), blob_bytes->size());
    secure_wipe(blob_bytes->data(), blob_bytes->size());
    secure_wipe(b64.data(), b64.size());
    {
      std::ofstream o(w + "/blob.bin", std::ios::binary);
      o.write(reinterpret_cast<const char*>(blob_secret.span().data()),
              static_cast<std::streamsize>(blob_secret.size()));
    }
    // 3. Decode, as a process (the peer daemon's decode step).
    st = run(env, {env.gmsa_bin, "blob", "decode", w + "/blob.bin", "--format", "binary"},
             w + "/decode.txt");
    if (!st.ok()) return;
    auto pw = blob::parse(blob_secret.span());
    if (!pw) {
      st = pw.error();
      return;
    }
    // 4. kinit as the gMSA.
    if (how == BaselineKinit::kPassword) {
      auto utf8 = keys::utf16le_to_utf8(pw->current.span());
      if (!utf8) {
        st = utf8.error();
        return;
      }
      if (pipeable(*utf8)) {
        // As the peer does: the password on kinit's standard input, one
        // line; libkrb5 asks the KDC for the salt (PREAUTH_REQUIRED) and
        // derives the key itself.
        SecretBytes input(utf8->size() + 1);
        std::copy(utf8->data(), utf8->data() + utf8->size(), input.data());
        input[utf8->size()] = '\n';
        st = run(env, {"/usr/bin/kinit", "-c", "FILE:" + w + "/gmsa.cc", principal},
                 w + "/kinit-gmsa.txt", &input);
        return;
      }
      out.keytab_fallback = true;
    }
    st = kinit_from_keytab(env, *pw, account, principal);
  });
  for (const char* p : {"/blob.bin", "/gmsa.keytab", "/decode.txt"}) std::remove((w + p).c_str());
  if (!st.ok()) return st.error();
  return out;
}

Result<std::unique_ptr<ldap::Connection>> floor_connection(const PipelineEnv& env,
                                                           const krb::Context& ctx,
                                                           const krb::Credentials& host_tgt) {
  const auto& f = env.lab->facts;
  auto cc = krb::MemoryCcache::create(ctx, host_tgt);
  if (!cc) return cc.error();
  ldap::ConnectOptions o;
  o.ccache_name = cc->name();
  o.krb5_config = f["krb5Config"].get<std::string>();
  ldap::DcEndpoint dc{f["dcs"][0]["name"], f["dcs"][0]["address"], 389, false};
  return ldap::connect_gssapi(dc, o);
}

Result<double> floor_once(const PipelineEnv& env, const krb::Context& ctx, ldap::Connection& conn,
                          const std::string& account) {
  const auto& f = env.lab->facts;
  Status st = ok_status();
  double ms = time_ms([&] {
    auto entry = conn.find_gmsa(f["baseDn"].get<std::string>(), account);
    if (!entry || !entry->managed_password) {
      st = entry ? Error{"floor", "no password"} : entry.error();
      return;
    }
    auto pw = blob::parse(entry->managed_password->span());
    if (!pw) {
      st = pw.error();
      return;
    }
    auto utf8 = keys::utf16le_to_utf8(pw->current.span());
    if (!utf8) {
      st = utf8.error();
      return;
    }
    // The keys as the daemon derives them (keys::aes_keys: one PBKDF2), then
    // the AS exchange with pre-authentication.
    auto aes = keys::aes_keys(*utf8, keys::ad_salt(f["domain"].get<std::string>(), account));
    if (!aes) {
      st = aes.error();
      return;
    }
    std::vector<krb::KeytabKey> k;
    k.push_back({1, 18, std::move(aes->aes256)});
    k.push_back({1, 17, std::move(aes->aes128)});
    auto tgt = krb::tgt_from_keys(ctx, account + "$@" + f["realm"].get<std::string>(), k);
    if (!tgt) st = tgt.error();
  });
  if (!st.ok()) return st.error();
  return ms;
}

}  // namespace gmsa::bench
