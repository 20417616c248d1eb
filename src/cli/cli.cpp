#include "gmsa/cli/cli.hpp"

#include <algorithm>
#include <fstream>
#include <istream>
#include <ostream>
#include <sstream>

namespace gmsa::cli {
namespace {

std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}

void usage(std::ostream& os) {
  auto commands = registry();
  std::sort(commands.begin(), commands.end(),
            [](const Command& a, const Command& b) { return a.order < b.order; });
  os << "usage: gmsa <command> [options]\n\ncommands:\n";
  for (const auto& c : commands) {
    os << "  " << c.name << std::string(c.name.size() < 12 ? 12 - c.name.size() : 1, ' ')
       << c.summary << "\n";
  }
  os << "\nRun 'gmsa <command> --help' for a command's options.\n";
}

}  // namespace

bool register_command(const Command& command) {
  registry().push_back(command);
  return true;
}

const std::string* ParsedArgs::option(std::string_view name) const {
  auto it = options.find(std::string(name));
  return it == options.end() ? nullptr : &it->second;
}

Result<ParsedArgs> parse_args(const Args& args, std::initializer_list<std::string_view> options,
                              std::initializer_list<std::string_view> flags) {
  auto contains = [](std::initializer_list<std::string_view> list, std::string_view s) {
    for (auto x : list)
      if (x == s) return true;
    return false;
  };
  ParsedArgs out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.positional.insert(out.positional.end(), args.begin() + static_cast<long>(i) + 1,
                            args.end());
      break;
    }
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      out.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::string value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (contains(flags, name)) {
      if (inline_value) return Error{"--" + name, "takes no value"};
      out.flags.insert(name);
    } else if (contains(options, name)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) return Error{"--" + name, "needs a value"};
        value = args[++i];
      }
      if (!out.options.emplace(name, value).second) return Error{"--" + name, "given twice"};
    } else {
      return Error{"--" + name, "unknown option"};
    }
  }
  return out;
}

int run(const Args& args, Io io) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    usage(args.empty() ? io.err : io.out);
    return args.empty() ? kExitUsage : kExitOk;
  }
  for (const auto& c : registry()) {
    if (args[0] == c.name) return c.main(Args(args.begin() + 1, args.end()), io);
  }
  io.err << "gmsa: unknown command '" << args[0] << "'\n";
  usage(io.err);
  return kExitUsage;
}

Result<std::string> read_bounded(std::istream& in, std::size_t limit, const std::string& name) {
  std::string data;
  char buf[8192];
  while (data.size() <= limit && in.read(buf, sizeof buf).gcount() > 0)
    data.append(buf, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return Error{name, "read failed"};
  if (data.size() > limit)
    return Error{name, "larger than the limit of " + std::to_string(limit) + " bytes"};
  return data;
}

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream text;
  if (!f || !(text << f.rdbuf())) return Error{"", "cannot read " + path};
  return text.str();
}

}  // namespace gmsa::cli
