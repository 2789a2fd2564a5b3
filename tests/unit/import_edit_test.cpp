// Where fixes insert `import x` (analyzer/import_edit.h): after the module docstring and the
// `from __future__` imports, never above a shebang or coding comment, and not at all when the tree
// does not start the file.
#include "analyzer/import_edit.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "analyzer/analyze.h"

namespace heaplint {
namespace {

// The text before the insertion point, or "<none>".
std::string before(const std::string& text) {
  const SourceText source(text);
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  const std::optional<uint32_t> at =
      importInsertionOffset(source.text(), ts_tree_root_node(tree.get()));
  return at ? text.substr(0, *at) : "<none>";
}

TEST(ImportInsertion, AfterTheDocstringAndFutureImports) {
  EXPECT_EQ(before("\"\"\"Doc.\"\"\"\nimport os\n"), "\"\"\"Doc.\"\"\"\n");
  EXPECT_EQ(before("\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nx = 1\n"),
            "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\n");
  EXPECT_EQ(before("from __future__ import annotations\n# note\nx = 1\n"),
            "from __future__ import annotations\n");
}

TEST(ImportInsertion, BelowLeadingComments) {
  EXPECT_EQ(before("#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\nx = 1\n"),
            "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n");
  EXPECT_EQ(before("x = 1\n"), "");
}

TEST(ImportInsertion, OnlyWhenTheTreeStartsTheFile) {
  // A run of a larger document (the language server's analysis in runs) starts after code.
  const std::string text = "x = 1\ny = 2\n";
  const SourceText source(text);
  const TreePtr tree = PythonParser::forThisThread().parseRange(source, 6, 12);
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(importInsertionOffset(source.text(), ts_tree_root_node(tree.get())), std::nullopt);
  EXPECT_EQ(before(""), "<none>");
}

}  // namespace
}  // namespace heaplint
