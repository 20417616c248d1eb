// gmsa credspec validate FILE|-  (docs/formats/credspec.md)
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "credspec_new.hpp"
#include "gmsa/cli/cli.hpp"
#include "gmsa/credspec/credspec.hpp"

namespace gmsa::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: gmsa credspec validate FILE\n"
    "       gmsa credspec new --account NAME ... (gmsa credspec new --help)\n"
    "\n"
    "Checks a credential spec (FILE, or - for standard input) and prints a\n"
    "one-line summary. Exit 0 when valid, 1 when not (the error names the JSON\n"
    "path and the rule broken), 2 on a usage error.\n";

// Reads at most limit + 1 bytes, so an oversized input is detected without
// reading all of it.

std::string summary(const credspec::CredentialSpec& spec) {
  std::ostringstream os;
  const auto& d = spec.domain_join;
  os << "valid: " << spec.accounts.size() << (spec.accounts.size() == 1 ? " account" : " accounts")
     << " (";
  for (std::size_t i = 0; i < spec.accounts.size(); ++i)
    os << (i ? ", " : "") << spec.accounts[i].name << "@" << spec.accounts[i].scope;
  os << ") in domain " << d.dns_name << " (" << d.netbios_name << "), machine account "
     << d.machine_account_name << (spec.host_account ? ", domainless" : "");
  return os.str();
}

int validate_cmd(const std::string& file, Io io) {
  const credspec::Limits limits;
  Result<std::string> text = std::string();
  if (file == "-") {
    text = read_bounded(io.in, limits.max_bytes, "<stdin>");
  } else {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
      io.err << "gmsa credspec validate: " << file << ": cannot open: Is a directory\n";
      return kExitFailure;
    }
    std::ifstream f(file, std::ios::binary);
    if (!f) {
      io.err << "gmsa credspec validate: " << file << ": cannot open: " << std::strerror(errno)
             << "\n";
      return kExitFailure;
    }
    text = read_bounded(f, limits.max_bytes, file);
  }
  if (!text) {
    io.err << "gmsa credspec validate: " << text.error().what() << "\n";
    return kExitFailure;
  }
  auto spec = credspec::parse(*text, limits);
  if (!spec) {
    io.err << "gmsa credspec validate: " << (file == "-" ? "<stdin>" : file) << ": "
           << spec.error().what() << "\n";
    return kExitFailure;
  }
  io.out << summary(*spec) << "\n";
  return kExitOk;
}

int credspec_main(const Args& args, Io io) {
  if (!args.empty() && args[0] == "new")
    return credspec_new_main(Args(args.begin() + 1, args.end()), io);
  auto parsed = parse_args(args, {}, {"help"});
  if (!parsed) {
    io.err << "gmsa credspec: " << parsed.error().what() << "\n" << kUsage;
    return kExitUsage;
  }
  if (parsed->has("help")) {
    io.out << kUsage;
    return kExitOk;
  }
  const auto& pos = parsed->positional;
  if (pos.size() != 2 || pos[0] != "validate") {
    io.err << kUsage;
    return kExitUsage;
  }
  return validate_cmd(pos[1], io);
}

const bool registered = register_command(
    {"credspec", 10, "validate credential specs (gMSA identity JSON), create them from AD",
     credspec_main});

}  // namespace
}  // namespace gmsa::cli
