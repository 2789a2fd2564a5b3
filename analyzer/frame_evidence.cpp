#include "analyzer/frame_evidence.h"

#include <algorithm>
#include <array>

#include "analyzer/analyze.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

bool inExceptClause(TSNode node) {
  for (TSNode up = parentOf(node); !ts_node_is_null(up); up = parentOf(up)) {
    const NodeKind kind = kindOf(up);
    if (kind == NodeKind::ExceptClause || kind == NodeKind::ExceptGroupClause) return true;
    if (kind == NodeKind::FunctionDefinition || kind == NodeKind::Lambda) return false;
  }
  return false;
}

bool isOwnFrame(const RuleContext& context, TSNode call, std::string_view qualified) {
  if (qualified == "inspect.currentframe" || qualified == "inspect.stack") return true;
  // The frames of the exception being handled start at the handler's function: the calling
  // function's own frame only when the call is in that handler.
  if (qualified == "inspect.trace") return inExceptClause(call);
  if (qualified != "sys._getframe") return false;
  const TSNode arguments = childByField(call, Field::Arguments);
  const TSNode depth = firstNamedChildSkippingExtras(arguments);
  return ts_node_is_null(depth) || context.text(depth) == "0";
}

// What `parent` holds when its part `child` holds `held`; clears `own` when the step leaves the
// calling function's frame (`f_back`, a later stack item).
FrameHeld climb(const RuleContext& context, TSNode parent, TSNode child, FrameHeld held,
                bool& own) {
  switch (kindOf(parent)) {
    case NodeKind::ParenthesizedExpression:
      return held;
    case NodeKind::List:
    case NodeKind::Tuple:
      return FrameHeld::Stack;  // `[tb.tb_frame]`, `(frame, lineno)`
    case NodeKind::Attribute: {
      if (!ts_node_eq(childByField(parent, Field::Object), child)) return FrameHeld::Nothing;
      const std::string_view name = context.text(childByField(parent, Field::AttributeName));
      if (held == FrameHeld::Frame && name == "f_back") {
        own = false;
        return FrameHeld::Frame;
      }
      return held == FrameHeld::Record && name == "frame" ? FrameHeld::Frame : FrameHeld::Nothing;
    }
    case NodeKind::Subscript: {
      if (!ts_node_eq(childByField(parent, Field::Value), child)) return FrameHeld::Nothing;
      const TSNode index = childByField(parent, Field::SubscriptIndex);
      const bool zero = kindOf(index) == NodeKind::Integer && context.text(index) == "0";
      if (held == FrameHeld::Stack) {
        if (kindOf(index) == NodeKind::Slice) {
          // `[1:]` leaves the own frame out; `[:3]` and `[0:]` keep it.
          const TSNode start = nthChild(index, 0);
          if (ts_node_is_named(start) && context.text(start) != "0") own = false;
          return FrameHeld::Stack;
        }
        if (!zero) own = false;
        return FrameHeld::Record;
      }
      // Item 0 of a record is the frame; the others are its file name, line, function name...
      if (held == FrameHeld::Record && (zero || kindOf(index) != NodeKind::Integer)) {
        return FrameHeld::Frame;
      }
      return FrameHeld::Nothing;
    }
    default:
      return FrameHeld::Nothing;
  }
}

}  // namespace

std::span<const std::string_view> frameMakerNames() {
  static constexpr std::array<std::string_view, 6> kNames = {
      "currentframe", "_getframe", "stack", "trace", "getouterframes", "getinnerframes",
  };
  return kNames;
}

bool mayMakeFrames(std::string_view last_name) {
  const std::span<const std::string_view> names = frameMakerNames();
  return std::find(names.begin(), names.end(), last_name) != names.end();
}

FrameHeld framesMadeBy(std::string_view qualified) {
  if (qualified == "inspect.currentframe" || qualified == "sys._getframe") return FrameHeld::Frame;
  if (qualified == "inspect.stack" || qualified == "inspect.trace" ||
      qualified == "inspect.getouterframes" || qualified == "inspect.getinnerframes") {
    return FrameHeld::Stack;
  }
  return FrameHeld::Nothing;
}

FrameValue frameValueOf(const RuleContext& context, TSNode source, std::string_view qualified) {
  FrameValue result;
  result.value = source;
  result.held = qualified.empty() ? FrameHeld::Frame : framesMadeBy(qualified);
  if (result.held == FrameHeld::Nothing) return result;
  result.own = !qualified.empty() && isOwnFrame(context, source, qualified);
  for (int guard = 0; guard < 16; ++guard) {
    const TSNode parent = parentOf(result.value);
    const FrameHeld next = climb(context, parent, result.value, result.held, result.own);
    if (next == FrameHeld::Nothing) break;
    result.held = next;
    result.value = parent;
  }
  return result;
}

}  // namespace heaplint
