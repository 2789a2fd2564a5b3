// A diagnostic a project rule makes while walking a file and decides on in its join (once every
// file's facts are in): kept in the rule's facts, with the names the join asks about.
#pragma once

#include <cstdint>
#include <string>

#include "analyzer/diagnostic.h"
#include "analyzer/facts_io.h"

namespace heaplint {

struct PendingDiagnostic {
  Diagnostic diagnostic;  // range, message, fix title and fix (edits in this file's bytes)
  uint32_t row = 0;       // the 0-based line whose `# noqa` may silence it

  void write(FactsWriter& out) const {
    out.u32(diagnostic.start);
    out.u32(diagnostic.end);
    out.u32(row);
    out.string(diagnostic.message);
    out.string(diagnostic.fix_title);
    out.fix(diagnostic.fix);
  }
  bool read(FactsReader& in) {
    diagnostic.start = in.u32();
    diagnostic.end = in.u32();
    row = in.u32();
    diagnostic.message = in.string();
    diagnostic.fix_title = in.string();
    diagnostic.fix = in.fix();
    return in.ok();
  }
  // Moved by an edit above it (analysis in runs).
  void shift(int64_t bytes, int64_t rows) {
    shiftBy(diagnostic, bytes);
    row = static_cast<uint32_t>(static_cast<int64_t>(row) + rows);
  }
};

}  // namespace heaplint
