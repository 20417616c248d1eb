// Helpers shared by the krb module's translation units (not installed).
#pragma once

#include <krb5/krb5.h>

#include <string>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/krb/krb.hpp"

namespace gmsa::krb::detail {

// Error{field, "<what>: <libkrb5 message>"}.
Error krb_error(const Context& ctx, const std::string& field, const std::string& what,
                krb5_error_code code);

// RAII owners for libkrb5 objects.
struct Principal {
  krb5_context ctx;
  krb5_principal p = nullptr;
  explicit Principal(krb5_context c) : ctx(c) {}
  ~Principal() {
    if (p != nullptr) krb5_free_principal(ctx, p);
  }
  Principal(const Principal&) = delete;
  Principal& operator=(const Principal&) = delete;
};

struct Ccache {
  krb5_context ctx;
  krb5_ccache cc = nullptr;
  explicit Ccache(krb5_context c) : ctx(c) {}
  ~Ccache() {
    if (cc != nullptr) krb5_cc_close(ctx, cc);
  }
  Ccache(const Ccache&) = delete;
  Ccache& operator=(const Ccache&) = delete;
};

struct Creds {
  krb5_context ctx;
  krb5_creds c{};
  bool filled = false;
  explicit Creds(krb5_context k) : ctx(k) {}
  ~Creds() {
    if (filled) krb5_free_cred_contents(ctx, &c);
  }
  Creds(const Creds&) = delete;
  Creds& operator=(const Creds&) = delete;
};

std::string unparse(krb5_context ctx, krb5_const_principal p);

// krb5_creds -> Credentials (marshalled).
Result<Credentials> to_credentials(const Context& ctx, krb5_creds* creds);
// Credentials -> krb5_creds (caller owns the contents through `out`).
Status from_credentials(const Context& ctx, const Credentials& in, Creds& out);

// Adds each key as an entry for principal to kt (libkrb5 copies them).
krb5_error_code add_keys(krb5_context ctx, krb5_keytab kt, krb5_principal principal,
                         const std::vector<KeytabKey>& keys);

}  // namespace gmsa::krb::detail
