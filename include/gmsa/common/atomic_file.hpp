// Atomic publication of a file (the one implementation used for ticket
// caches, keytabs and lease records): a temporary "<path>.tmp.<16 hex>"
// created O_EXCL|O_NOFOLLOW with mode 0600 gets the content, the final owner
// and mode, optionally an fsync, then is renamed over `path` (and the
// directory fsynced when `sync`). A reader sees the old file or the complete
// new one, never a partial file or one with wider permissions.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gmsa/common/result.hpp"

namespace gmsa {

struct FileAttrs {
  std::optional<uid_t> uid;  // nullopt = the writer's
  std::optional<gid_t> gid;
  mode_t mode = 0600;
  // fsync the file before and its directory after the rename. Files that are
  // re-created on start-up anyway (ticket caches) may skip it: the rename is
  // atomic either way; only durability across a power loss is lost.
  bool sync = true;
  // How a full file system (ENOSPC/EDQUOT) is reported:
  // "<volume> full: No space left on device (writing <path>)".
  std::string volume = "file system";
};

// errno of a failed call on `path` as an Error in `field`: "<what>: <strerror>",
// or for ENOSPC/EDQUOT "<volume> full: No space left on device (writing <path>)".
Error file_error(const std::string& field, const std::string& what, const std::string& path,
                 const FileAttrs& attrs, int err);

// A new, unused temporary path next to `path`: "<path>.tmp.<16 hex>".
std::string temp_path_for(const std::string& path);

// Creates the temporary file for `path` (O_EXCL, 0600) holding `initial`
// (may be empty); returns its path. Errors use `field`.
Result<std::string> create_temp_file(const std::string& path, std::span<const std::uint8_t> initial,
                                     const std::string& field, const FileAttrs& attrs = {});

// Gives `tmp` the owner/mode of attrs, fsyncs it when attrs.sync, renames it
// over `path`, fsyncs the directory when attrs.sync. Removes tmp on failure.
Status publish_temp_file(const std::string& tmp, const std::string& path, const FileAttrs& attrs,
                         const std::string& field);

// create_temp_file + publish_temp_file.
Status write_file_atomic(const std::string& path, std::span<const std::uint8_t> content,
                         const FileAttrs& attrs, const std::string& field);
Status write_file_atomic(const std::string& path, std::string_view content, const FileAttrs& attrs,
                         const std::string& field);

// Publishes `source` (an existing file with its final content, owner and mode)
// at `path` as another hard link: link to "<path>.tmp.<16 hex>", then rename
// over `path`. Two directory operations and no data written, so one file can
// be handed to many leases; readers see the old file or `source`, never a
// partial one. No fsync. On failure the temporary link is removed and the
// error carries errno's message (ENOSPC named as for write_file_atomic).
Status link_file_atomic(const std::string& source, const std::string& path, const FileAttrs& attrs,
                        const std::string& field);

}  // namespace gmsa
