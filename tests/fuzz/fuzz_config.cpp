// The TOML configuration reader on arbitrary bytes, as a pyproject.toml and as a heaplint.toml:
// settings or one ConfigError, never another exception or a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/configuration.h"
#include "tests/fuzz/fuzz_support.h"

using namespace heaplint;

namespace {

std::filesystem::path scratchDirectory() {
  // /dev/shm when there is one: the file is written for every input.
  std::string pattern = std::filesystem::exists("/dev/shm") ? "/dev/shm/heaplint-fuzz-XXXXXX"
                                                            : "/tmp/heaplint-fuzz-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) fuzz::fail("cannot make a scratch directory");
  return pattern;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > fuzz::kMaxInput) return 0;
  static const std::filesystem::path directory = scratchDirectory();
  const std::filesystem::path file =
      directory / ((data[0] & 1) != 0 ? "pyproject.toml" : "heaplint.toml");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  try {
    const config::ResolvedSettings settings = config::loadSettings(file, {});
    fuzz::require(settings.config_file == file, "the settings name another file");
    (void)settings.analysisOptions(directory / "module.py");
    (void)settings.isExcluded(directory / "build" / "x.py", false, true);
  } catch (const config::ConfigError& error) {
    const std::string_view message = error.what();
    fuzz::require(!message.empty() && message.find('\n') == std::string_view::npos,
                  "a configuration error is not one line");
  }
  return 0;
}
