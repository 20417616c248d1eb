#include <iostream>

#include "gmsa/cli/cli.hpp"

int main(int argc, char** argv) {
  gmsa::cli::Args args(argv + 1, argv + argc);
  return gmsa::cli::run(args, gmsa::cli::Io{std::cin, std::cout, std::cerr});
}
