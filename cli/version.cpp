#include "cli/version.h"

#ifndef HEAPLINT_VERSION
#define HEAPLINT_VERSION "0.0.0"
#endif

namespace heaplint::cli {

std::string_view heaplintVersion() {
  return HEAPLINT_VERSION;
}

}  // namespace heaplint::cli
