// Built only while the gkdi/blob/keys modules are absent from the tree.
#include <ostream>

#include "gmsa/lab/lab.hpp"

namespace gmsa::lab {
Status serve(const LabConfig&, std::ostream&) {
  return Error{"lab serve", "this build has no gkdi/blob/keys modules, so no password controller"};
}
}  // namespace gmsa::lab
