// The progress line: silent for short runs and when disabled, erased when done.
#include "cli/progress.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

namespace heaplint::cli {
namespace {

using std::chrono::milliseconds;

TEST(ProgressLine, DrawsCountsAfterTheDelayAndErasesItself) {
  std::ostringstream out;
  {
    ProgressLine progress(out, 10, true, milliseconds(0), milliseconds(5));
    for (int i = 0; i < 3; ++i)
      progress.advance();
    std::this_thread::sleep_for(milliseconds(60));
  }
  const std::string text = out.str();
  EXPECT_NE(text.find("[3/10] files checked"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("\r\x1b[K")) << text;
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
}

TEST(ProgressLine, ShortRunsStaySilent) {
  std::ostringstream out;
  {
    ProgressLine progress(out, 10, true, milliseconds(10'000), milliseconds(5));
    progress.advance();
  }
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressLine, DisabledDrawsNothing) {
  std::ostringstream out;
  {
    ProgressLine progress(out, 10, false, milliseconds(0), milliseconds(5));
    progress.advance();
    std::this_thread::sleep_for(milliseconds(30));
  }
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressLine, NeverInCi) {
  const char* previous = std::getenv("CI");
  const std::optional<std::string> saved =
      previous != nullptr ? std::optional<std::string>(previous) : std::nullopt;
  ::setenv("CI", "true", 1);
  EXPECT_FALSE(progressWanted());
  if (saved) {
    ::setenv("CI", saved->c_str(), 1);
  } else {
    ::unsetenv("CI");
  }
}

}  // namespace
}  // namespace heaplint::cli
