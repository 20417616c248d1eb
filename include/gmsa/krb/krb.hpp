// In-process Kerberos (libkrb5): a context bound to an explicit krb5.conf,
// initial tickets from a keytab or a password, MEMORY ccaches, and atomic
// FILE ccache / keytab writers. Nothing here reads KRB5_CONFIG, KRB5CCNAME or
// KRB5_KTNAME from the environment, and nothing here sets them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gmsa/common/atomic_file.hpp"
#include "gmsa/common/clock.hpp"
#include "gmsa/common/result.hpp"
#include "gmsa/common/secret.hpp"

struct _krb5_context;

namespace gmsa::krb {

// RAII krb5_context loaded from exactly one krb5.conf (krb5_init_context_profile
// with KRB5_INIT_CONTEXT_SECURE, so environment variables are ignored).
// One Context per thread: a krb5_context is not thread-safe.
class Context {
 public:
  static Result<Context> open(const std::string& krb5_conf_path);
  Context(Context&& o) noexcept;
  Context& operator=(Context&& o) noexcept;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context();

  _krb5_context* get() const { return ctx_; }
  // libkrb5's message for code (includes the context set by the failing call).
  std::string message(long code) const;

 private:
  explicit Context(_krb5_context* c) : ctx_(c) {}
  _krb5_context* ctx_ = nullptr;
};

// One set of credentials (a TGT or a service ticket), marshalled by
// krb5_marshal_credentials. The bytes hold the session key: secret.
struct Credentials {
  std::string client;  // "WEBAPP01$@CONTOSO.TEST"
  std::string server;  // "krbtgt/CONTOSO.TEST@CONTOSO.TEST"
  SystemTime start_time;
  SystemTime end_time;
  SystemTime renew_till;
  SecretBytes marshalled;
};

struct InitOptions {
  std::chrono::seconds lifetime{0};  // 0 = the KDC/krb5.conf default
};

// AS exchange with the keys of `principal` from the keytab file.
Result<Credentials> tgt_from_keytab(const Context& ctx, const std::string& keytab_path,
                                    const std::string& principal, const InitOptions& opts = {});

// AS exchange with a password (UTF-8 bytes). libkrb5 takes the salt from the
// KDC's PA-ETYPE-INFO2, so AD-style salts work without configuration.
Result<Credentials> tgt_from_password(const Context& ctx, const std::string& principal,
                                      const SecretBytes& utf8_password,
                                      const InitOptions& opts = {});

// AS exchange with the given long-term keys of `principal` (e.g. AES keys
// derived with gmsa::keys::aes_keys), through a MEMORY keytab that exists
// only for this call. No string-to-key in libkrb5.
struct KeytabKey;
Result<Credentials> tgt_from_keys(const Context& ctx, const std::string& principal,
                                  const std::vector<KeytabKey>& keys, const InitOptions& opts = {});

// A uniquely named MEMORY ccache holding one set of credentials, destroyed
// with the object. Its name ("MEMORY:...") is usable by GSSAPI in this process.
class MemoryCcache {
 public:
  static Result<MemoryCcache> create(const Context& ctx, const Credentials& creds);
  MemoryCcache(MemoryCcache&& o) noexcept;
  MemoryCcache& operator=(MemoryCcache&& o) noexcept;
  MemoryCcache(const MemoryCcache&) = delete;
  MemoryCcache& operator=(const MemoryCcache&) = delete;
  ~MemoryCcache();
  const std::string& name() const { return name_; }

 private:
  MemoryCcache(_krb5_context* c, std::string name) : ctx_(c), name_(std::move(name)) {}
  void destroy() noexcept;
  _krb5_context* ctx_ = nullptr;
  std::string name_;
};

// Owner and permission bits of an issued file (gmsa/common/atomic_file.hpp).
using FileOwnership = ::gmsa::FileAttrs;

// The bytes of a FILE ccache (format version 4, no header tags) whose default
// principal is creds.client and which holds exactly creds: what libkrb5
// writes for krb5_cc_initialize + krb5_cc_store_cred, built from the
// marshalled credentials without a krb5_context. Secret (session key).
// Leases sharing one TGT share one image: marshal once, write many times.
Result<SecretBytes> ccache_image(const Credentials& creds);

// Writes a ccache image at `path` atomically (write_file_atomic): readers never
// see a partial cache or a cache with the wrong owner or mode.
Status write_ccache_image(const std::string& path, const SecretBytes& image,
                          const FileOwnership& owner);

// ccache_image + write_ccache_image (ctx is not needed; kept for callers).
Status write_ccache_file(const Context& ctx, const std::string& path, const Credentials& creds,
                         const FileOwnership& owner);

// Reads the first ticket of a FILE ccache (the TGT for caches we write).
Result<Credentials> read_ccache_file(const Context& ctx, const std::string& path);

// Reads the credentials for `server` out of the ccache (a TGT when server is
// empty: krbtgt/REALM@REALM of the cache's client realm).
Result<Credentials> find_credentials(const Context& ctx, const std::string& ccache_name,
                                     const std::string& server = "");

struct KeytabKey {
  std::uint32_t kvno = 0;
  std::int32_t enctype = 0;  // 17 = AES128, 18 = AES256 (gmsa::keys::Enctype)
  SecretBytes key;
};

// Writes a FILE keytab for `principal` with the given keys, atomically and
// with the final owner/mode (same rules as write_ccache_file).
Status write_keytab_file(const Context& ctx, const std::string& path, const std::string& principal,
                         const std::vector<KeytabKey>& keys, const FileOwnership& owner);

// Key version number of `service` (from a service ticket obtained with tgt):
// the kvno of the key the KDC encrypted the ticket with.
Result<std::uint32_t> service_key_version(const Context& ctx, const Credentials& tgt,
                                          const std::string& service);

// Realm part of a principal name ("" when none).
std::string realm_of(const std::string& principal);

}  // namespace gmsa::krb
