// `gmsa credspec new`: internal to gmsa_cli (dispatched from credspec_cmd.cpp).
#pragma once

#include "gmsa/cli/cli.hpp"

namespace gmsa::cli {
int credspec_new_main(const Args& args, Io io);
}  // namespace gmsa::cli
