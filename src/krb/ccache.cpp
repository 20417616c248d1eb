// MEMORY and FILE credential caches.
#include <krb5/krb5.h>

#include <string>
#include <utility>

#include "gmsa/krb/krb.hpp"
#include "internal.hpp"

namespace gmsa::krb {

using detail::Ccache;
using detail::Creds;
using detail::krb_error;

namespace {

Status store(const Context& ctx, krb5_ccache cc, const Credentials& creds) {
  Creds c(ctx.get());
  if (auto st = detail::from_credentials(ctx, creds, c); !st) return st;
  krb5_error_code code = krb5_cc_initialize(ctx.get(), cc, c.c.client);
  if (code != 0) return krb_error(ctx, "ccache", "cannot initialize", code);
  code = krb5_cc_store_cred(ctx.get(), cc, &c.c);
  if (code != 0) return krb_error(ctx, "ccache", "cannot store credentials", code);
  return ok_status();
}

}  // namespace

Result<MemoryCcache> MemoryCcache::create(const Context& ctx, const Credentials& creds) {
  Ccache h(ctx.get());
  krb5_error_code code = krb5_cc_new_unique(ctx.get(), "MEMORY", nullptr, &h.cc);
  if (code != 0) return krb_error(ctx, "ccache", "cannot create MEMORY ccache", code);
  std::string name = std::string("MEMORY:") + krb5_cc_get_name(ctx.get(), h.cc);
  MemoryCcache out(ctx.get(), name);
  if (auto st = store(ctx, h.cc, creds); !st) return st.error();
  return out;  // h closes the handle; the MEMORY cache lives until destroy()
}

MemoryCcache::MemoryCcache(MemoryCcache&& o) noexcept
    : ctx_(std::exchange(o.ctx_, nullptr)), name_(std::move(o.name_)) {}

MemoryCcache& MemoryCcache::operator=(MemoryCcache&& o) noexcept {
  if (this != &o) {
    destroy();
    ctx_ = std::exchange(o.ctx_, nullptr);
    name_ = std::move(o.name_);
  }
  return *this;
}

MemoryCcache::~MemoryCcache() { destroy(); }

void MemoryCcache::destroy() noexcept {
  if (ctx_ == nullptr) return;
  krb5_ccache cc = nullptr;
  if (krb5_cc_resolve(ctx_, name_.c_str(), &cc) == 0) krb5_cc_destroy(ctx_, cc);
  ctx_ = nullptr;
}

Result<Credentials> find_credentials(const Context& ctx, const std::string& ccache_name,
                                     const std::string& server) {
  Ccache h(ctx.get());
  krb5_error_code code = krb5_cc_resolve(ctx.get(), ccache_name.c_str(), &h.cc);
  if (code != 0) return krb_error(ctx, "ccache", "cannot resolve " + ccache_name, code);
  krb5_principal client = nullptr;
  code = krb5_cc_get_principal(ctx.get(), h.cc, &client);
  if (code != 0) return krb_error(ctx, "ccache", "cannot read " + ccache_name, code);
  std::string client_name = detail::unparse(ctx.get(), client);
  std::string want = server;
  if (want.empty()) {
    std::string realm(client->realm.data, client->realm.length);
    want = "krbtgt/" + realm + "@" + realm;
  }
  krb5_free_principal(ctx.get(), client);
  krb5_cc_cursor cursor = nullptr;
  code = krb5_cc_start_seq_get(ctx.get(), h.cc, &cursor);
  if (code != 0) return krb_error(ctx, "ccache", "cannot read " + ccache_name, code);
  Result<Credentials> found =
      make_error("ccache", "no credentials for " + want + " in " + ccache_name + " (client " +
                               client_name + ")");
  for (;;) {
    Creds c(ctx.get());
    if (krb5_cc_next_cred(ctx.get(), h.cc, &cursor, &c.c) != 0) break;
    c.filled = true;
    if (krb5_is_config_principal(ctx.get(), c.c.server)) continue;
    if (detail::unparse(ctx.get(), c.c.server) == want) {
      found = detail::to_credentials(ctx, &c.c);
      break;
    }
  }
  krb5_cc_end_seq_get(ctx.get(), h.cc, &cursor);
  return found;
}

Result<Credentials> read_ccache_file(const Context& ctx, const std::string& path) {
  return find_credentials(ctx, "FILE:" + path, "");
}

}  // namespace gmsa::krb
