// Helpers shared by the krb module's translation units (not installed).
#pragma once

#include <krb5/krb5.h>

#include <string>

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

// A new, unused path next to `path`: "<path>.tmp.<16 hex>".
std::string temp_path_for(const std::string& path);
// fchown/fchmod/fsync the file at tmp, then rename it over path and fsync the
// directory. Removes tmp on failure.
Status publish_file(const std::string& tmp, const std::string& path, const FileOwnership& owner,
                    const std::string& field);

}  // namespace gmsa::krb::detail
