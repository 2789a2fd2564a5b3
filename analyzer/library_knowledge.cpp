#include "analyzer/library_knowledge.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

namespace heaplint {
namespace {

struct MemoizerEntry {
  std::string_view name;
  MemoizerBound bound;
};

// Decorators that cache a function's results, and what bounds their cache.
constexpr std::array kMemoizers = {
    MemoizerEntry{"functools.cache", MemoizerBound::Unbounded},
    MemoizerEntry{"functools.lru_cache", MemoizerBound::MaxsizeArgument},
    MemoizerEntry{"backports.functools_lru_cache.lru_cache", MemoizerBound::MaxsizeArgument},
    MemoizerEntry{"methodtools.lru_cache", MemoizerBound::MaxsizeArgument},
    MemoizerEntry{"fastcache.clru_cache", MemoizerBound::MaxsizeArgument},
    MemoizerEntry{"fastcache.lru_cache", MemoizerBound::MaxsizeArgument},
    MemoizerEntry{"async_lru.alru_cache", MemoizerBound::MaxsizeArgument},
    MemoizerEntry{"cachetools.func.", MemoizerBound::MaxsizeArgument},
    MemoizerEntry{"cachetools.cached", MemoizerBound::CacheArgument},
    MemoizerEntry{"cachetools.cachedmethod", MemoizerBound::CacheArgument},
    MemoizerEntry{"boltons.cacheutils.cached", MemoizerBound::CacheArgument},
    MemoizerEntry{"toolz.memoize", MemoizerBound::UnboundedUnlessCache},
    MemoizerEntry{"toolz.functoolz.memoize", MemoizerBound::UnboundedUnlessCache},
    MemoizerEntry{"toolz.curried.memoize", MemoizerBound::UnboundedUnlessCache},
    MemoizerEntry{"cytoolz.memoize", MemoizerBound::UnboundedUnlessCache},
    MemoizerEntry{"cytoolz.functoolz.memoize", MemoizerBound::UnboundedUnlessCache},
};

// What registries do with a callback. Receivers are matched by what they resolve to: an import
// (`django.db.models.signals.post_save`) or the class of a module-level object
// (`sig = blinker.Signal()`).
constexpr std::array kRegistries = {
    RegistryEntry{"django.", "connect", RegistryHold::WeakByDefault},
    RegistryEntry{"blinker.", "connect", RegistryHold::WeakByDefault},
    RegistryEntry{"flask.signals.", "connect", RegistryHold::WeakByDefault},
    RegistryEntry{"pydispatch.", "connect", RegistryHold::WeakByDefault},
    RegistryEntry{"louie.", "connect", RegistryHold::WeakByDefault},
    RegistryEntry{"scrapy.signalmanager.", "connect", RegistryHold::WeakByDefault},
    RegistryEntry{"matplotlib.", "mpl_connect", RegistryHold::WeakBoundMethods},
    RegistryEntry{"matplotlib.cbook.CallbackRegistry", "connect", RegistryHold::WeakBoundMethods},
    RegistryEntry{"atexit", "register", RegistryHold::Strong},
    RegistryEntry{"gi.repository.", "", RegistryHold::Strong},
    RegistryEntry{"logging.", "addHandler", RegistryHold::Strong},
    RegistryEntry{"logging.", "addFilter", RegistryHold::Strong},
    RegistryEntry{"signal", "signal", RegistryHold::Replaces},
    RegistryEntry{"sys", "", RegistryHold::Replaces},        // sys.settrace, sys.excepthook, ...
    RegistryEntry{"threading", "", RegistryHold::Replaces},  // threading.settrace, excepthook
};

constexpr std::array<std::string_view, 4> kWeakContainers = {
    "weakref.WeakValueDictionary",
    "weakref.WeakKeyDictionary",
    "weakref.WeakSet",
    "weakref.WeakMethod",
};

// Containers with a bound of their own (`collections.deque(maxlen=...)` depends on its arguments).
constexpr std::array<std::string_view, 11> kBoundedContainers = {
    "cachetools.",  // every cache class of cachetools takes a maxsize
    "boltons.cacheutils.LRU",
    "boltons.cacheutils.LRI",
    "pylru.lrucache",
    "repoze.lru.LRUCache",
    "lru.LRU",
    "lru_dict.LRU",
    "diskcache.",
    "django.core.cache.",
    "werkzeug.contrib.cache.",
    "cachelib.",
};

// Calls whose result is a process-wide object: registering on it is registering for good.
constexpr std::array<std::string_view, 10> kSingletonGetters = {
    "*.get_default",  // GObject: Gtk.Settings.get_default(), Gdk.Display.get_default(), ...
    "*.get_instance",
    "*.getInstance",
    "*.instance",
    "logging.getLogger",
    "logging.root",
    "asyncio.get_event_loop",
    "gi.repository.Gio.Application.get_default",
    "threading.main_thread",
    "*.get_application",
};

// Calls (or methods of any object, by name) whose result grows with the data.
constexpr std::array<std::string_view, 40> kDataSources = {
    "builtins.open", "io.open",     "codecs.open",     "gzip.open",    "bz2.open",
    "lzma.open",     "csv.reader",  "csv.DictReader",  "os.listdir",   "os.scandir",
    "os.walk",       "os.fwalk",    "glob.glob",       "glob.iglob",   "fnmatch.filter",
    "json.load",     "json.loads",  "pickle.load",     "pickle.loads", "marshal.load",
    "re.finditer",   "re.findall",  "fileinput.input", "sys.stdin",    "urllib.request.urlopen",
    "*.readlines",   "*.fetchall",  "*.fetchmany",     "*.iterrows",   "*.itertuples",
    "*.rglob",       "*.iterdir",   "*.namelist",      "*.infolist",   "*.getmembers",
    "*.iter_lines",  "*.iterparse", "*.finditer",      "*.scandir",    "*.listdir",
};

// The data sources among them that return a whole list (or a whole document) at once.
constexpr std::array<std::string_view, 16> kMaterializedDataSources = {
    "os.listdir",  "glob.glob",    "fnmatch.filter", "re.findall",  "json.load",  "json.loads",
    "pickle.load", "pickle.loads", "marshal.load",   "*.readlines", "*.fetchall", "*.fetchmany",
    "*.namelist",  "*.infolist",   "*.getmembers",   "*.listdir",
};

// Calls made for what they do, not for the value they return (which is None or a status):
// output, logging, processes and changes to the file system.
constexpr auto kActions = std::to_array<std::string_view>({
    "builtins.print",   "logging.debug",    "logging.info",      "logging.warning",
    "logging.warn",     "logging.error",    "logging.exception", "logging.critical",
    "logging.log",      "subprocess.run",   "subprocess.call",   "subprocess.check_call",
    "subprocess.Popen", "os.system",        "os.remove",         "os.unlink",
    "os.rmdir",         "os.removedirs",    "os.mkdir",          "os.makedirs",
    "os.rename",        "os.renames",       "os.replace",        "os.chmod",
    "os.chown",         "os.symlink",       "os.link",           "os.kill",
    "os.utime",         "shutil.copy",      "shutil.copy2",      "shutil.copyfile",
    "shutil.copytree",  "shutil.move",      "shutil.rmtree",     "shutil.copymode",
    "shutil.copystat",  "sys.stdout.write", "sys.stderr.write",
});

constexpr std::array<std::string_view, 8> kConfigurationSources = {
    "sys.argv",           "os.environ",    "django.conf.settings", "*.parse_args",
    "*.parse_known_args", "configparser.", "flask.current_app",    "sys.flags",
};

template <typename Table>
bool anyMatches(const Table& table, const std::vector<std::string>& extra,
                std::string_view qualified) {
  return std::any_of(
             table.begin(), table.end(),
             [&](std::string_view entry) { return LibraryKnowledge::matches(entry, qualified); }) ||
         std::any_of(extra.begin(), extra.end(), [&](const std::string& entry) {
           return LibraryKnowledge::matches(entry, qualified);
         });
}

}  // namespace

bool LibraryKnowledge::matches(std::string_view entry, std::string_view qualified) {
  if (entry.empty() || qualified.empty()) return false;
  if (entry.starts_with("*.")) {
    const std::string_view segment = entry.substr(2);
    return qualified == segment ||
           (qualified.size() > segment.size() && qualified.ends_with(segment) &&
            qualified[qualified.size() - segment.size() - 1] == '.');
  }
  if (entry.back() == '.') {
    return qualified.starts_with(entry) || qualified == entry.substr(0, entry.size() - 1);
  }
  return qualified == entry;
}

std::optional<MemoizerBound> LibraryKnowledge::memoizer(std::string_view qualified) const {
  for (const std::string& entry : settings_.unbounded_memoizers) {
    if (matches(entry, qualified)) return MemoizerBound::Unbounded;
  }
  for (const std::string& entry : settings_.bounded_memoizers) {
    if (matches(entry, qualified)) return std::nullopt;
  }
  for (const MemoizerEntry& entry : kMemoizers) {
    if (matches(entry.name, qualified)) return entry.bound;
  }
  return std::nullopt;
}

std::optional<RegistryHold> LibraryKnowledge::registry(std::string_view receiver,
                                                       std::string_view method) const {
  for (const std::string& entry : settings_.weak_registries) {
    if (matches(entry, receiver)) return RegistryHold::WeakByDefault;
  }
  for (const std::string& entry : settings_.strong_registries) {
    if (matches(entry, receiver)) return RegistryHold::Strong;
  }
  for (const RegistryEntry& entry : kRegistries) {
    if ((entry.method.empty() || entry.method == method) && matches(entry.name, receiver)) {
      return entry.hold;
    }
  }
  return std::nullopt;
}

bool LibraryKnowledge::isWeakContainer(std::string_view qualified) const {
  static const std::vector<std::string> kNone;
  return anyMatches(kWeakContainers, kNone, qualified);
}

bool LibraryKnowledge::isBoundedContainer(std::string_view qualified) const {
  static const std::vector<std::string> kNone;
  return anyMatches(kBoundedContainers, kNone, qualified);
}

bool LibraryKnowledge::isSingletonGetter(std::string_view qualified) const {
  return anyMatches(kSingletonGetters, settings_.singleton_getters, qualified);
}

bool LibraryKnowledge::isDataSource(std::string_view qualified) const {
  return anyMatches(kDataSources, settings_.data_sources, qualified);
}

bool LibraryKnowledge::isMaterializedDataSource(std::string_view qualified) {
  return std::any_of(kMaterializedDataSources.begin(), kMaterializedDataSources.end(),
                     [&](std::string_view entry) { return matches(entry, qualified); });
}

bool LibraryKnowledge::isAction(std::string_view qualified) {
  return std::find(kActions.begin(), kActions.end(), qualified) != kActions.end();
}

bool LibraryKnowledge::isConfigurationSource(std::string_view qualified) const {
  return anyMatches(kConfigurationSources, settings_.configuration_sources, qualified);
}

bool LibraryKnowledge::cachesOnTheInstance(std::string_view name, CachingUse use) {
  name.remove_prefix(std::min(name.size(), name.rfind('.') + 1));
  // Most decorators and callees mention no cache at all: answered without allocating.
  const auto mentions = [&](std::string_view part) {
    return std::search(name.begin(), name.end(), part.begin(), part.end(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           }) != name.end();
  };
  if (!mentions("cach") && !mentions("memo") && !mentions("lazy") && !mentions("lazi") &&
      !mentions("reify")) {
    return false;
  }
  std::vector<std::string> words(1);
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    const bool turns_upper =
        i > 0 && std::isupper(c) != 0 && std::islower(static_cast<unsigned char>(name[i - 1])) != 0;
    if (c == '_' || turns_upper) {
      if (!words.back().empty()) words.emplace_back();
      if (c == '_') continue;
    }
    words.back().push_back(static_cast<char>(std::tolower(c)));
  }
  if (words.back().empty()) words.pop_back();
  if (words.empty()) return false;
  const auto has_word = [&](std::string_view word) {
    return std::find(words.begin(), words.end(), word) != words.end();
  };
  static constexpr std::array<std::string_view, 6> kNotOnTheInstance = {"non", "un",    "no",
                                                                        "not", "class", "static"};
  if (std::any_of(kNotOnTheInstance.begin(), kNotOnTheInstance.end(), has_word)) return false;
  std::string joined;
  for (const std::string& word : words) {
    joined += word;
  }
  static constexpr std::array<std::string_view, 4> kOnTheClass = {"classprop", "classattr",
                                                                  "classmethod", "staticmethod"};
  if (std::any_of(kOnTheClass.begin(), kOnTheClass.end(),
                  [&](std::string_view part) { return joined.find(part) != std::string::npos; })) {
    return false;
  }
  static constexpr std::array<std::string_view, 6> kCaches = {"cached",  "cache", "memoized",
                                                              "memoize", "lazy",  "lazily"};
  // `MethodCache(...)`: a class, named for what it caches (not jaraco's `method_cache(f)`,
  // which is the same descriptor as `@method_cache`).
  if (use == CachingUse::CalledInClassBody &&
      std::isupper(static_cast<unsigned char>(name.front())) != 0 &&
      std::find(kCaches.begin(), kCaches.end(), words.back()) != kCaches.end()) {
    return false;
  }
  if (use == CachingUse::Decorator && words.size() == 1 && words.front() == "lazy") return true;
  static constexpr std::array<std::string_view, 6> kMembers = {"property", "prop",   "attribute",
                                                               "attr",     "method", "readonly"};
  const auto names = [&](const auto& kinds) {
    return std::any_of(kinds.begin(), kinds.end(), [&](std::string_view kind) {
      return has_word(kind) || std::string_view(joined).starts_with(kind) ||
             std::string_view(joined).ends_with(kind);
    });
  };
  return has_word("reify") || (names(kCaches) && names(kMembers));
}

}  // namespace heaplint
