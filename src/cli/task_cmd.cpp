// gmsa task check TASKDEF.json [--platform P] [--json]  (docs/taskdef-check.md)
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "gmsa/cli/cli.hpp"
#include "gmsa/credspec/credspec.hpp"
#include "gmsa/taskdef/taskdef.hpp"

namespace gmsa::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: gmsa task check TASKDEF.json [--platform "
    "linux|windows-2016|windows-2019|windows-2022]\n"
    "                                    [--json]\n"
    "\n"
    "Checks the gMSA settings of an Amazon ECS task definition offline: each container's\n"
    "credentialSpecs / dockerSecurityOptions entry, the credential specs it names with\n"
    "file:// (read from the task definition's folder and validated), and the platform rules.\n"
    "The platform comes from runtimePlatform.operatingSystemFamily unless --platform is given.\n"
    "Exit 0 when there are no errors (warnings allowed), 1 when there are, 2 on a usage error.\n";

int check_cmd(const std::string& file, const ParsedArgs& args, Io io) {
  taskdef::CheckOptions options;
  if (const std::string* p = args.option("platform")) {
    options.platform = taskdef::platform_from_flag(*p);
    if (!options.platform) {
      io.err << "gmsa task: --platform: must be one of linux, windows-2016, windows-2019, "
                "windows-2022\n";
      return kExitUsage;
    }
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    io.err << "gmsa task check: " << file << ": cannot open: " << std::strerror(errno) << "\n";
    return kExitFailure;
  }
  std::string text;
  char buf[8192];
  while (text.size() <= options.max_bytes && in.read(buf, sizeof buf).gcount() > 0)
    text.append(buf, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) {
    io.err << "gmsa task check: " << file << ": read failed\n";
    return kExitFailure;
  }
  if (text.size() > options.max_bytes) {
    io.err << "gmsa task check: " << file << ": larger than the limit of " << options.max_bytes
           << " bytes\n";
    return kExitFailure;
  }
  std::filesystem::path folder = std::filesystem::path(file).parent_path();
  if (folder.empty()) folder = ".";
  taskdef::DirectorySpecStore store(folder, credspec::Limits{}.max_bytes);
  const taskdef::Report report = taskdef::check(text, store, options);
  io.out << (args.has("json") ? taskdef::format_json(report) : taskdef::format_text(report));
  return report.has_errors() ? kExitFailure : kExitOk;
}

int task_main(const Args& args, Io io) {
  auto parsed = parse_args(args, {"platform"}, {"json", "help"});
  if (!parsed) {
    io.err << "gmsa task: " << parsed.error().what() << "\n" << kUsage;
    return kExitUsage;
  }
  if (parsed->has("help")) {
    io.out << kUsage;
    return kExitOk;
  }
  const auto& pos = parsed->positional;
  if (pos.size() != 2 || pos[0] != "check") {
    io.err << kUsage;
    return kExitUsage;
  }
  return check_cmd(pos[1], *parsed, io);
}

const bool registered =
    register_command({"task", 60, "check an ECS task definition's gMSA settings", task_main});

}  // namespace
}  // namespace gmsa::cli
