// What libraries do, as the rules need to know it: which registries hold their callbacks weakly,
// which memoizers bound their caches, which containers hold weakly or bounded, which calls hand
// back data (file lines, query rows) or configuration, and which getters return a process-wide
// object. One table, compiled in (library_knowledge.cpp) and extended from configuration
// (`[tool.heaplint.libraries]`), so that no rule keeps a private list.
//
// Names are dotted, as the semantic model qualifies them ("functools.lru_cache"). An entry ending
// in "." matches every name under that prefix ("blinker." is all of blinker); an entry starting
// with "*." matches that last segment on anything ("*.get_default").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace heaplint {

// How a memoizer bounds its cache.
enum class MemoizerBound : uint8_t {
  Unbounded,             // functools.cache
  MaxsizeArgument,       // functools.lru_cache: `maxsize` (first positional), default 128, None
  CacheArgument,         // cachetools.cached(cache): the cache object passed decides
  UnboundedUnlessCache,  // toolz.memoize: a dict unless `cache=` is given
};

// How a registry keeps what is registered on it.
enum class RegistryHold : uint8_t {
  Strong,            // atexit.register, GObject connect, logging addHandler
  WeakByDefault,     // Django and blinker signals: weak unless `weak=False`
  WeakBoundMethods,  // matplotlib's CallbackRegistry: bound methods weakly, functions strongly
  Replaces,          // signal.signal: a new handler replaces the old one
};

// Where a descriptor's name is met: `@name` on a method, or `attr = name(f)` in a class body.
enum class CachingUse : uint8_t { Decorator, CalledInClassBody };

struct RegistryEntry {
  std::string_view name;    // the receiver (module, class or object) it applies to
  std::string_view method;  // "connect"; empty for any subscription method
  RegistryHold hold;
};

// User additions, from `[tool.heaplint.libraries]`.
struct LibrarySettings {
  std::vector<std::string> unbounded_memoizers;    // decorators that cache without a bound
  std::vector<std::string> bounded_memoizers;      // decorators that bound their cache
  std::vector<std::string> weak_registries;        // receivers that hold callbacks weakly
  std::vector<std::string> strong_registries;      // receivers that hold callbacks strongly
  std::vector<std::string> singleton_getters;      // calls that return a process-wide object
  std::vector<std::string> data_sources;           // calls whose result grows with the data
  std::vector<std::string> configuration_sources;  // names that hold configuration
};

class LibraryKnowledge {
 public:
  explicit LibraryKnowledge(const LibrarySettings& settings) : settings_(settings) {}

  std::optional<MemoizerBound> memoizer(std::string_view qualified) const;
  // What a registry does with what `method` registers on `receiver` (qualified); nullopt when
  // the table does not know it (then the rule assumes a strong reference).
  std::optional<RegistryHold> registry(std::string_view receiver, std::string_view method) const;
  // Containers: weakref.WeakValueDictionary & co.
  bool isWeakContainer(std::string_view qualified) const;
  // Containers with a bound of their own: cachetools.LRUCache & co. (`deque(maxlen=)` is decided
  // by the caller, from its arguments).
  bool isBoundedContainer(std::string_view qualified) const;
  // A call that returns an object alive for the whole process (`Gtk.Settings.get_default()`).
  bool isSingletonGetter(std::string_view qualified) const;
  // A call (or a method of any object, by its last name: "*.fetchall") whose result grows with
  // the data: lines of a file, rows of a query, entries of a directory.
  bool isDataSource(std::string_view qualified) const;
  // A data source whose result is a list already in memory (`os.listdir`, `*.readlines`,
  // `*.fetchall`), not an iterator that hands out one item at a time.
  static bool isMaterializedDataSource(std::string_view qualified);
  // A function called for what it does rather than for its value: `print`, `logging.info`,
  // `subprocess.run`, `os.remove`, `shutil.copy` (qualified names, not patterns).
  static bool isAction(std::string_view qualified);
  // A name holding configuration: `sys.argv`, `os.environ`, `django.conf.settings`.
  bool isConfigurationSource(std::string_view qualified) const;

  // Whether a dotted name (qualified, or as spelled) names a descriptor that caches a method's
  // result in the instance's `__dict__`, which slots make fail on first access. Its last part's
  // words (split at `_` and where lower case turns upper) name a cache (`cached`, `memoized`,
  // `lazy`) and a member (`property`, `prop`, `attribute`, `method`, `readonly`), in either
  // order, as separate words or run together (`cachedproperty`, `propertycache`); or it has the
  // word `reify`; or, as a decorator, it is only `lazy` (the `lazy` package, zope's `Lazy`). Not
  // `gettext_lazy` nor `keep_lazy_text` (no member), not a negated name (`non_memoized_property`,
  // `ro_non_memoized_property`: plain properties), not a cache on the class
  // (`cached_classproperty`, `lazy_staticmethod`), and not a call of a class named for what it
  // caches (`MethodCache(...)`: capitalised, its last word is the cache). Read from the name, not
  // a table: quiet is the safe side for the many descriptors no table lists.
  static bool cachesOnTheInstance(std::string_view name, CachingUse use);

  // Whether `qualified` matches a table entry (see the header comment for the forms).
  static bool matches(std::string_view entry, std::string_view qualified);

 private:
  const LibrarySettings& settings_;
};

}  // namespace heaplint
