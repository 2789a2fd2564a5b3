// Which expressions keep a frame object alive, as a reviewer would read them: the result of
// `inspect.currentframe()` or `sys._getframe(n)`, a frame's `f_back`, a traceback's `tb_frame`,
// a stack from `inspect.stack()` or `inspect.trace()` and its records (`stack()[1]`,
// `stack()[1][0]`, `stack()[1].frame`), a list or tuple holding one; not what is read from them
// (`f_code.co_name`, `f_globals`, `stack()[1][3]`). And whether the frame is the calling
// function's own, which bound to one of its locals makes a reference cycle (the frame holds its
// locals). Asked after the walk (MEM305), from the node that makes the frame.
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <span>
#include <string_view>

namespace heaplint {

class RuleContext;

enum class FrameHeld : uint8_t {
  Nothing,  // no frame: a value read from one (its name, its globals, a line number)
  Frame,    // a frame
  Stack,    // a sequence of frames or frame records (`inspect.stack()`, `[tb.tb_frame]`)
  Record,   // one frame record (`inspect.stack()[1]`): its item 0 and its `.frame` are a frame
};

// Whether a call's last name may make frames (`currentframe`, `_getframe`, `stack`, `trace`,
// `getouterframes`, `getinnerframes`): a cheap test during the walk, before names resolve.
bool mayMakeFrames(std::string_view last_name);
// Those last names.
std::span<const std::string_view> frameMakerNames();

// What a call makes, from its resolved name ("inspect.currentframe", "sys._getframe").
FrameHeld framesMadeBy(std::string_view qualified);

struct FrameValue {
  TSNode value{};  // the outermost expression that still holds the frame
  FrameHeld held = FrameHeld::Nothing;
  // The calling function's own frame, or a stack that starts with it: `currentframe()`,
  // `_getframe()`, `_getframe(0)`, `inspect.stack()`, `inspect.stack()[0]`, and
  // `inspect.trace()` called in the `except` clause that handles the exception.
  bool own = false;
};

// Climbs from `source` (a call that makes frames, with its resolved name `qualified`, or a
// `.tb_frame` attribute, with `qualified` empty) to the outermost expression that still holds a
// frame, through `f_back`, stack items, `.frame`, parentheses and list or tuple displays.
FrameValue frameValueOf(const RuleContext& context, TSNode source, std::string_view qualified);

}  // namespace heaplint
