#include "analyzer/argument_evidence.h"

#include <string_view>

namespace heaplint {

std::optional<PassingCall> callPassing(const CallIndex& calls, const FunctionSignature& function,
                                       size_t slot) {
  if (slot >= function.slots.size()) return std::nullopt;
  std::string_view callee = function.name;
  const bool constructor = callee.ends_with(".__init__") || callee.ends_with(".__new__");
  if (constructor) callee = callee.substr(0, callee.rfind('.'));
  const FunctionSignature::Slot& wanted = function.slots[slot];
  for (const CallIndex::Site& site : calls.callsOf(callee)) {
    if (calls.text(site.caller) == function.name) continue;
    const PassingCall found{site.file, site.row, site.unpacked};
    if (site.unpacked) return found;
    // The receiver a call binds before its arguments: the instance or the class.
    const bool implicit_first =
        constructor || function.kind == MethodKind::Class ||
        ((function.kind == MethodKind::Instance || function.kind == MethodKind::Property) &&
         site.form == CallForm::Instance);
    size_t position = implicit_first ? 1 : 0;
    for (const CallIndex::Argument& argument : calls.argumentsOf(site)) {
      const std::string_view keyword = calls.text(argument.keyword);
      if (!keyword.empty()) {
        if (keyword == wanted.name) return found;
        continue;
      }
      if (position == slot && wanted.positional) return found;
      ++position;
    }
  }
  return std::nullopt;
}

}  // namespace heaplint
