#include "cli/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>

namespace heaplint::cli {

bool readFile(const std::filesystem::path& path, std::string& contents, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat info {};
  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd);
    error = "Is a directory";
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

bool writeFileAtomically(const std::filesystem::path& link_or_path, const std::string& contents,
                         std::string& error) {
  // Write through symbolic links: replace the file they point to, not the link.
  std::error_code resolve_error;
  std::filesystem::path path = std::filesystem::canonical(link_or_path, resolve_error);
  if (resolve_error) path = link_or_path;
  struct stat info {};
  const bool have_mode = ::stat(path.c_str(), &info) == 0;
  std::string temporary = path.string() + ".heaplint-XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) {
    error = std::string("cannot create a temporary file: ") + std::strerror(errno);
    return false;
  }
  const auto fail = [&](const char* what) {
    error = std::string(what) + ": " + std::strerror(errno);
    ::close(fd);
    ::unlink(temporary.c_str());
    return false;
  };
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write failed");
    }
    written += static_cast<size_t>(n);
  }
  // A new file gets the mode any program would give it (0666 less the umask), not mkstemp's 0600:
  // a report written for a CI uploader running as another user must stay readable.
  const mode_t mode = have_mode ? (info.st_mode & 07777) : (0666 & ~currentUmask());
  if (::fchmod(fd, mode) != 0) return fail("chmod failed");
  if (::fsync(fd) != 0) return fail("fsync failed");
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

}  // namespace heaplint::cli
