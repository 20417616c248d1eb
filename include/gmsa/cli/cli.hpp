// The `gmsa` command line. Every verb is a function over an argument vector
// and an Io bundle, so tests run verbs in-process; src/bin/gmsa.cpp is a thin main.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <iosfwd>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gmsa/common/result.hpp"

namespace gmsa::cli {

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

using Args = std::vector<std::string>;

// Exit codes.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // the operation failed (invalid spec, server error)
constexpr int kExitUsage = 2;    // the command line was wrong

// Entry point: args without argv[0].
int run(const Args& args, Io io);

struct ParsedArgs {
  std::map<std::string, std::string> options;  // --name value / --name=value
  std::set<std::string> flags;                 // --flag
  std::vector<std::string> positional;         // everything else; all after "--" too
  bool has(std::string_view flag) const { return flags.count(std::string(flag)) != 0; }
  const std::string* option(std::string_view name) const;
};

// Options and flags are named without the leading "--". Unknown names,
// missing values and repeated options are errors naming the option.
Result<ParsedArgs> parse_args(const Args& args, std::initializer_list<std::string_view> options,
                              std::initializer_list<std::string_view> flags);

// Reads `in` to the end; more than `limit` bytes is an error naming `name`
// ("<name>: larger than the limit of N bytes").
Result<std::string> read_bounded(std::istream& in, std::size_t limit, const std::string& name);

// A whole file (a credential spec): Error "cannot read <path>" (no field) if
// it cannot be opened or read.
Result<std::string> read_whole_file(const std::string& path);

// A verb group ("credspec", "lab", ...): gets the args after its name.
// Each group lives in its own src/cli/<group>_cmd.cpp and registers itself:
//   static const bool registered = register_command({"blob", 20, "decode ...", blob_main});
// gmsa_cli is an OBJECT library, so every registration is linked in.
struct Command {
  std::string_view name;
  int order;  // position in `gmsa --help`
  std::string_view summary;
  int (*main)(const Args& args, Io io);
};
bool register_command(const Command& command);

}  // namespace gmsa::cli
