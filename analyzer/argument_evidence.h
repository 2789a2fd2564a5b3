// Whether the callers of a function of the project pass a given parameter. A parameter that some
// caller passes is part of the function's interface (an accumulator handed in, an option); one
// that no caller ever passes is the function's own (a mutable default used as a hidden cache,
// MEM204). Answered in a project rule's join from every file's calls (call_evidence.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "analyzer/call_evidence.h"

namespace heaplint {

// A call site that passes the parameter, or may (it unpacks `*args` or `**options`).
struct PassingCall {
  size_t file = 0;
  uint32_t row = 0;  // 0-based
  bool unpacked = false;
};

// The first call of `function` in the project, other than from the function itself (recursion
// passes on what it was given), that passes the parameter in `slot` by position or by keyword,
// or that unpacks arguments. Positions follow the call's form: `obj.method(x)` binds `x` to the
// slot after `self`, `Record(x)` to the one after `__init__`'s `self`.
std::optional<PassingCall> callPassing(const CallIndex& calls, const FunctionSignature& function,
                                       size_t slot);

}  // namespace heaplint
