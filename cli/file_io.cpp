#include "cli/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <random>
#include <string_view>

namespace heaplint::cli {

std::optional<uint64_t> parseFileSize(std::string_view text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  const std::string_view suffix(end, static_cast<size_t>(text.data() + text.size() - end));
  int shift = 0;
  if (suffix.empty() || suffix == "B") {
    shift = 0;
  } else if (suffix == "K" || suffix == "KB" || suffix == "KiB") {
    shift = 10;
  } else if (suffix == "M" || suffix == "MB" || suffix == "MiB") {
    shift = 20;
  } else if (suffix == "G" || suffix == "GB" || suffix == "GiB") {
    shift = 30;
  } else {
    return std::nullopt;
  }
  if (value > (UINT64_MAX >> shift)) return std::nullopt;
  return value << shift;
}

uint64_t maxFileSizeFromEnvironment() {
  const char* configured = std::getenv("HEAPLINT_MAX_FILE_SIZE");
  if (configured == nullptr) return kDefaultMaxFileSize;
  return parseFileSize(configured).value_or(kDefaultMaxFileSize);
}

bool isOverSizeLimitFromEnvironment(uint64_t size) {
  static const uint64_t limit = maxFileSizeFromEnvironment();
  return limit != 0 && size > limit;
}

std::string formatSize(uint64_t bytes) {
  constexpr std::array<std::string_view, 4> kUnits = {"bytes", "KiB", "MiB", "GiB"};
  size_t unit = 0;
  double value = static_cast<double>(bytes);
  while (value >= 1024 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value,
                std::string(kUnits[unit]).c_str());
  return text;
}

bool readFile(const std::filesystem::path& path, std::string& contents, std::string& error) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, for ever. Only
  // regular files are read: a FIFO, a socket or a device named `x.py` is not a source file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    error = S_ISDIR(info.st_mode) ? "Is a directory" : "not a regular file";
    ::close(fd);
    return false;
  }
  contents.clear();
  if (info.st_size > 0) contents.reserve(static_cast<size_t>(info.st_size));
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
    if (contents.size() > UINT32_MAX - 1) {
      error = "file too large (4 GiB or more)";
      ::close(fd);
      return false;
    }
  }
  ::close(fd);
  return true;
}

bool readStream(std::istream& in, std::string& contents) {
  contents.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

bool readSource(const std::filesystem::path& path, DecodedSource& source, std::string& error) {
  std::string contents;
  if (!readFile(path, contents, error)) return false;
  source = decodePythonSource(std::move(contents));
  return true;
}

bool writeSource(const std::filesystem::path& path, std::string_view text,
                 std::string_view encoding, std::string& error) {
  const std::optional<std::string> bytes = encodePythonSource(text, encoding);
  if (!bytes) {
    error = "the fixed text has characters that `" + std::string(encoding) + "` cannot encode";
    return false;
  }
  return writeFileAtomically(path, *bytes, error);
}

namespace {
// umask() can only be read by setting it, so it is read once (thread-safe static initialisation)
// and set back at once; nothing heaplint creates depends on the value in between.
mode_t currentUmask() {
  static const mode_t mask = [] {
    const mode_t current = ::umask(022);
    ::umask(current);
    return current;
  }();
  return mask;
}
}  // namespace

namespace {

constexpr std::string_view kTemporaryMarker = ".heaplint-";

// A name for the temporary file beside `path`: `<path>.heaplint-XXXXXX`, as mkstemp makes them.
std::string temporaryName(const std::filesystem::path& path) {
  static constexpr std::string_view kLetters =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 random(std::random_device{}() ^ static_cast<uint64_t>(::getpid())
                                                                   << 32);
  std::string name = path.string() + std::string(kTemporaryMarker);
  uint64_t bits = random();
  for (int i = 0; i < 6; ++i, bits /= kLetters.size())
    name += kLetters[bits % kLetters.size()];
  return name;
}

bool writeAll(int fd, const std::string& contents) {
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    written += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

bool writeFileAtomically(const std::filesystem::path& link_or_path, const std::string& contents,
                         std::string& error) {
  // Write through symbolic links: replace the file they point to, not the link.
  std::error_code resolve_error;
  std::filesystem::path path = std::filesystem::canonical(link_or_path, resolve_error);
  if (resolve_error) path = link_or_path;
  struct stat info {};
  const bool have_mode = ::stat(path.c_str(), &info) == 0;
  // The new text goes to a file without a name (O_TMPFILE) that gets one only once complete, just
  // before it replaces the original: a process killed while writing leaves nothing behind. Where
  // the file system cannot do that, a named temporary file (mkstemp) does the same job.
  std::filesystem::path directory = path.parent_path();
  if (directory.empty()) directory = ".";
  std::string temporary;
  int fd = ::open(directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  const bool unnamed = fd >= 0;
  if (!unnamed) {
    temporary = path.string() + std::string(kTemporaryMarker) + "XXXXXX";
    fd = ::mkstemp(temporary.data());
  }
  if (fd < 0) {
    error = std::string("cannot create a temporary file: ") + std::strerror(errno);
    return false;
  }
  const auto fail = [&](const char* what) {
    error = std::string(what) + ": " + std::strerror(errno);
    ::close(fd);
    if (!temporary.empty()) ::unlink(temporary.c_str());
    return false;
  };
  if (!writeAll(fd, contents)) return fail("write failed");
  // A new file gets the mode any program would give it (0666 less the umask), not mkstemp's 0600:
  // a report written for a CI uploader running as another user must stay readable.
  const mode_t mode = have_mode ? (info.st_mode & 07777) : (0666 & ~currentUmask());
  if (::fchmod(fd, mode) != 0) return fail("chmod failed");
  // Keep the owner too where the user may (root fixing another user's files); elsewhere the
  // file was the user's own, or the directory's owner let them replace it.
  if (have_mode && (info.st_uid != ::geteuid() || info.st_gid != ::getegid())) {
    [[maybe_unused]] const int ignored = ::fchown(fd, info.st_uid, info.st_gid);
  }
  if (::fsync(fd) != 0) return fail("fsync failed");
  if (unnamed) {
    const std::string descriptor = "/proc/self/fd/" + std::to_string(fd);
    for (int attempt = 0;; ++attempt) {
      temporary = temporaryName(path);
      if (::linkat(AT_FDCWD, descriptor.c_str(), AT_FDCWD, temporary.c_str(), AT_SYMLINK_FOLLOW) ==
          0) {
        break;
      }
      if (errno != EEXIST || attempt == 100) {
        temporary.clear();
        return fail("cannot name the temporary file");
      }
    }
  }
  if (::close(fd) != 0) {
    error = std::string("close failed: ") + std::strerror(errno);
    ::unlink(temporary.c_str());
    return false;
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    error = std::string("rename failed: ") + std::strerror(errno);
    ::unlink(temporary.c_str());
    return false;
  }
  return true;
}

bool isStaleTemporary(const std::filesystem::path& path, std::chrono::seconds age) {
  const std::string name = path.filename().string();
  const size_t marker = name.rfind(kTemporaryMarker);
  if (marker == std::string::npos || marker == 0 ||
      name.size() != marker + kTemporaryMarker.size() + 6) {
    return false;
  }
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return false;
  const auto modified = std::chrono::system_clock::from_time_t(info.st_mtim.tv_sec);
  return std::chrono::system_clock::now() - modified > age;
}

}  // namespace heaplint::cli
