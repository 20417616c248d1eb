// gmsa blob decode: shows the structure of an msDS-ManagedPassword blob and
// fingerprints of the keys it yields; secrets only with --show-secret.
#include <fstream>
#include <istream>
#include <ostream>
#include <string>

#include "gmsa/blob/managed_password.hpp"
#include "gmsa/cli/cli.hpp"
#include "gmsa/common/encoding.hpp"
#include "gmsa/keys/keys.hpp"

namespace gmsa::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: gmsa blob decode [FILE|-] [--format base64|binary|auto]\n"
    "                        [--domain DNS_DOMAIN --account NAME$] [--show-secret]\n"
    "  Reads an msDS-ManagedPassword value (default: standard input) and prints its\n"
    "  structure and key fingerprints. --domain/--account add the AES keys (AD salt).\n"
    "  --show-secret also prints the password and the keys in hex.\n"
    "  auto: binary if the input starts with 01 00, base64 otherwise.\n";

int usage_error(Io io, const std::string& message) {
  io.err << "gmsa blob decode: " << message << "\n" << kUsage;
  return kExitUsage;
}

int failure(Io io, const std::string& message) {
  io.err << "gmsa blob decode: " << message << "\n";
  return kExitFailure;
}

SecretBytes read_all(std::istream& in) {
  SecretBytes data;
  char chunk[4096];
  while (in) {
    in.read(chunk, sizeof chunk);
    data.append(reinterpret_cast<const std::uint8_t*>(chunk),
                static_cast<std::size_t>(in.gcount()));
  }
  secure_wipe(chunk, sizeof chunk);
  return data;
}

Result<SecretBytes> decode_input(const SecretBytes& raw, const std::string& format) {
  const bool binary =
      format == "binary" || (format == "auto" && raw.size() >= 2 && raw[0] == 1 && raw[1] == 0);
  if (binary) return raw;
  auto bytes = from_base64(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
  if (!bytes) return Error{"input", "not valid base64"};
  SecretBytes out{std::span<const std::uint8_t>(*bytes)};
  secure_wipe(bytes->data(), bytes->size());
  return out;
}

// 100 ns units as "17d 20h 30m 22.6839887s".
std::string human_duration(std::uint64_t v) {
  std::uint64_t seconds = v / 10000000, fraction = v % 10000000;
  const std::uint64_t d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60,
                      s = seconds % 60;
  std::string out;
  if (d != 0) out += std::to_string(d) + "d ";
  if (d != 0 || h != 0) out += std::to_string(h) + "h ";
  if (d != 0 || h != 0 || m != 0) out += std::to_string(m) + "m ";
  out += std::to_string(s);
  if (fraction != 0) {
    std::string f = std::to_string(fraction);
    f = std::string(7 - f.size(), '0') + f;
    f.erase(f.find_last_not_of('0') + 1);
    out += "." + f;
  }
  return out + "s";
}

std::string show_key(const SecretBytes& key, bool show_secret) {
  return show_secret ? to_hex(key.span()) : keys::fingerprint(key);
}

int print_password(Io io, const char* which, const SecretBytes& password, const std::string* domain,
                   const std::string* account, bool show_secret) {
  io.out << which << " password:\n";
  if (show_secret) io.out << "  UTF-16LE: " << to_hex(password.span()) << "\n";
  auto utf8 = keys::utf16le_to_utf8(password.span());
  if (!utf8) return failure(io, utf8.error().what());
  if (show_secret) io.out << "  UTF-8: " << to_hex(utf8->span()) << "\n";
  auto nt = keys::nt_hash(password.span());
  if (!nt) return failure(io, nt.error().what());
  io.out << "  NT hash (rc4-hmac): " << show_key(*nt, show_secret) << "\n";
  if (domain == nullptr) {
    io.out << "  AES keys: give --domain and --account\n";
    return kExitOk;
  }
  auto derived = keys::derive(password.span(), *domain, *account);
  if (!derived) return failure(io, derived.error().what());
  io.out << "  aes128-cts-hmac-sha1-96: " << show_key(derived->aes128, show_secret) << "\n";
  io.out << "  aes256-cts-hmac-sha1-96: " << show_key(derived->aes256, show_secret) << "\n";
  return kExitOk;
}

int decode(const Args& args, Io io) {
  auto parsed = parse_args(args, {"format", "domain", "account"}, {"show-secret", "help"});
  if (!parsed) return usage_error(io, parsed.error().what());
  if (parsed->has("help")) {
    io.out << kUsage;
    return kExitOk;
  }
  if (parsed->positional.size() > 1) return usage_error(io, "at most one FILE");
  const std::string* format_option = parsed->option("format");
  const std::string format = format_option != nullptr ? *format_option : "auto";
  if (format != "auto" && format != "base64" && format != "binary") {
    return usage_error(io, "--format: must be base64, binary or auto");
  }
  const std::string* domain = parsed->option("domain");
  const std::string* account = parsed->option("account");
  if (domain != nullptr && account == nullptr) {
    return usage_error(io, "--account: required when --domain is given");
  }
  if (account != nullptr && domain == nullptr) {
    return usage_error(io, "--domain: required when --account is given");
  }
  const bool show_secret = parsed->has("show-secret");

  SecretBytes raw;
  const std::string path = parsed->positional.empty() ? "-" : parsed->positional[0];
  if (path == "-") {
    raw = read_all(io.in);
  } else {
    std::ifstream file(path, std::ios::binary);
    if (!file) return failure(io, path + ": cannot open");
    raw = read_all(file);
  }
  auto bytes = decode_input(raw, format);
  if (!bytes) return failure(io, bytes.error().what());
  auto blob = blob::parse(bytes->span());
  if (!blob) return failure(io, blob.error().what());
  const blob::Header h = *blob::read_header(bytes->span());

  io.out << "Version: " << h.version << "\n"
         << "Length: " << h.length << " bytes\n"
         << "CurrentPasswordOffset: " << h.current_offset << "\n"
         << "PreviousPasswordOffset: " << h.previous_offset
         << (blob->previous ? " (previous password present)" : " (no previous password)") << "\n"
         << "QueryPasswordIntervalOffset: " << h.query_offset << "\n"
         << "UnchangedPasswordIntervalOffset: " << h.unchanged_offset << "\n"
         << "QueryPasswordInterval: " << human_duration(blob->query_interval_100ns) << " ("
         << blob->query_interval_100ns << " x 100ns)\n"
         << "UnchangedPasswordInterval: " << human_duration(blob->unchanged_interval_100ns) << " ("
         << blob->unchanged_interval_100ns << " x 100ns)\n";
  if (domain != nullptr) io.out << "Salt: " << keys::ad_salt(*domain, *account) << "\n";
  if (int rc = print_password(io, "Current", blob->current, domain, account, show_secret);
      rc != kExitOk)
    return rc;
  if (blob->previous) {
    return print_password(io, "Previous", *blob->previous, domain, account, show_secret);
  }
  return kExitOk;
}

int blob_main(const Args& args, Io io) {
  if (args.empty()) {
    io.err << kUsage;
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    io.out << kUsage;
    return kExitOk;
  }
  if (args[0] == "decode") return decode(Args(args.begin() + 1, args.end()), io);
  io.err << "gmsa blob: unknown subcommand '" << args[0] << "'\n" << kUsage;
  return kExitUsage;
}

const bool registered = register_command(
    {"blob", 20, "decode an msDS-ManagedPassword blob and show its keys", blob_main});

}  // namespace
}  // namespace gmsa::cli
