// Offline checks of an Amazon ECS task definition's gMSA settings
// (docs/taskdef-check.md): where each container's credential spec comes
// from, whether ECS would accept that, and whether local specs are valid.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/credspec/credspec.hpp"

namespace gmsa::taskdef {

enum class Platform { kLinux, kWindows2016, kWindows2019, kWindows2022 };

std::string_view platform_name(Platform p);  // "linux", "windows-2016", ...
// The --platform values: linux, windows-2016, windows-2019, windows-2022.
std::optional<Platform> platform_from_flag(std::string_view flag);
// runtimePlatform.operatingSystemFamily: LINUX, WINDOWS_SERVER_2016_FULL,
// WINDOWS_SERVER_2019_FULL/_CORE, WINDOWS_SERVER_2022_FULL/_CORE.
std::optional<Platform> platform_from_os_family(std::string_view family);

// One credential spec reference, e.g. "credentialspec:file://web.json" or
// "credentialspecdomainless:arn:aws:ssm:us-east-1:123456789012:parameter/spec".
enum class SpecSource { kFile, kS3, kSsm };
struct SpecRef {
  bool domainless = false;
  SpecSource source = SpecSource::kFile;
  std::string location;  // the file name after file://, or the whole ARN
  bool operator==(const SpecRef&) const = default;
};
// Error.field is empty; Error.message says which form was expected.
Result<SpecRef> parse_spec_ref(std::string_view entry);

// Where file:// specs are read from (an interface so tests need no files).
class SpecStore {
 public:
  virtual ~SpecStore() = default;
  // `name` is the text after file://. Errors say why it was refused or unreadable.
  virtual Result<std::string> read(std::string_view name) = 0;
};

// Reads specs relative to one folder (the task definition's). Refuses '..'
// components, absolute paths outside the folder, symlinks leading out of it,
// and files larger than max_bytes.
class DirectorySpecStore final : public SpecStore {
 public:
  DirectorySpecStore(std::filesystem::path folder, std::size_t max_bytes);
  Result<std::string> read(std::string_view name) override;

 private:
  std::filesystem::path folder_;
  std::size_t max_bytes_;
};

enum class Severity { kError, kWarning };

struct Finding {
  Severity severity = Severity::kError;
  std::string container;  // container name; empty for task-level findings
  std::string field;      // JSON path in the task definition
  std::string message;
  bool operator==(const Finding&) const = default;
};

struct Report {
  Platform platform = Platform::kLinux;
  std::size_t containers = 0;
  std::size_t specs_checked = 0;  // file:// specs loaded and valid
  std::vector<Finding> findings;

  std::size_t count(Severity s) const;
  bool has_errors() const { return count(Severity::kError) != 0; }
};

struct CheckOptions {
  std::optional<Platform> platform;  // --platform; overrides runtimePlatform
  std::size_t max_bytes = 1024 * 1024;
  std::size_t max_depth = 32;
};

Report check(std::string_view taskdef_json, SpecStore& store, const CheckOptions& options = {});

// "error [web] containerDefinitions[0].hostname: ..." per finding, then a summary line.
std::string format_text(const Report& report);
// {"platform":..., "containers":N, "specsChecked":N, "errors":N, "warnings":N, "findings":[...]}
std::string format_json(const Report& report);

}  // namespace gmsa::taskdef
