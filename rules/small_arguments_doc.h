// The paragraph of the MEM1xx rules' documentation that says which of the code's own arguments
// the size evidence (analyzer/size_evidence.h) takes for a handful of items: one text for the four
// rules that ask that evidence, so that it cannot drift apart between them, joined into each
// rule's documentation at compile time (which stays a constant `std::string_view`).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

namespace heaplint {

// The string literals `parts`, one after another, in one null-terminated array.
template <size_t... N>
constexpr auto joinLiterals(const char (&... parts)[N]) {
  std::array<char, (N + ...) - sizeof...(N) + 1> joined{};
  size_t at = 0;
  ((std::copy_n(parts, N - 1, joined.begin() + at), at += N - 1), ...);
  return joined;
}

inline constexpr char kSmallArgumentsDoc[] =
    R"md(What the code's own arguments make a handful is small too: `zip(...)` yields as many items as its
smallest argument (`zip(range(10**6), sys.argv)` is configuration, and a `range` the code writes
beside an argument nothing sizes, `zip(range(10**6), header)`, is no evidence); `csv.reader([line])`
and `csv.reader(io.StringIO(HEADER))` read a literal, a constant or a string in the code (an
f-string with fields holds whatever they return, and is no evidence); `open()` of a string literal
(no f-string) naming a system file known to be short (`/proc/cpuinfo`, `/proc/meminfo`,
`/proc/loadavg`, `/proc/uptime`, `/proc/version`, `/proc/mounts`, `/proc/self/status`,
`/proc/self/cgroup`, `/proc/self/mounts`, `/proc/self/limits`, `/proc/self/cmdline`,
`/proc/self/stat`, `/proc/self/statm`, `/etc/hostname`, `/etc/os-release`, `/etc/lsb-release`,
`/etc/resolv.conf`, `/etc/timezone`, `/etc/machine-id`, `/etc/fstab`, or a file below `/proc/sys/`,
`/sys/class/`, `/sys/block/` or `/sys/devices/system/cpu/`) and `os.listdir()` or `os.scandir()` of
a folder below `/sys/class/`, `/sys/block/` or `/sys/devices/system/cpu/` read a few lines or
entries (never a path with a `..` segment; `/proc/kallsyms`, `/proc/kmsg`, `/proc/self/fd/0` and
`/sys/kernel/tracing/trace_pipe` stay data); `json.loads()` of a string literal (no f-string fields)
is small, and of `os.environ[...]`, `os.environ.get()` or `os.getenv()` configuration. So are the
rows of a query whose SQL returns a handful: `cursor.fetchmany(10)` (a literal count), and
`conn.execute(sql)` or the `fetchall()` of the cursor that ran it (bound once to
`conn.execute(sql)`; a cursor from `conn.cursor()` is not followed to its `execute`) when the SQL
written there (a string literal of at most 4,096 characters; an f-string only for a `PRAGMA` whose
name is written) is a `PRAGMA` known to be small (`table_info`, `table_xinfo`, `table_list`,
`index_list`, `index_info`, `index_xinfo`, `foreign_key_list`, `database_list`, `collation_list`,
`compile_options`, `user_version`, `schema_version`, `application_id`, `journal_mode`, `page_size`,
`page_count`, `freelist_count`, `encoding`, `foreign_keys`, `synchronous`, `cache_size`,
`auto_vacuum`, `busy_timeout`, `data_version`; not `foreign_key_check` nor `integrity_check`, a row
per problem), or one `SELECT` (no subquery, no `UNION`) with no `GROUP BY`, `HAVING` or `OVER` whose
column list, up to its `FROM` outside parentheses (SQL comments and quoted strings skipped), calls
an aggregate (`COUNT`, `SUM`, `AVG`, `TOTAL`, `GROUP_CONCAT`, or `MIN`/`MAX` of one argument:
`MAX(a, b)` is a scalar) or whose only table is one of those `pragma_...` tables (a row per group
may be many, and stays reported). And so is a listing (`os.listdir`, `os.scandir`, `glob.glob`,
`glob.iglob`, `.iterdir()`, `.glob()`) of the module's own folder or of a path written below it
(`os.path.dirname(__file__)`, `Path(__file__).resolve().parent / "templates"`, through names bound
once): the few files shipped with the code. The folder above it (`.parent.parent`, `os.path.dirname`
twice, a `..` segment in a literal) stays data, and so does a literal that throws the folder away
(`/var/spool`, `~/jobs`) and a glob that is or may be recursive (`**`, `recursive=True`, `**kwargs`,
a `.glob()` pattern that is no string literal). A `range` of constant bounds and step 1 filtered to
every K-th item by `i % K == c` (K and c integer literals, `i` the one loop name bound to the
range's own integers: `[i for i in range(10**6) if i % 100_000 == 0]`, `filter(lambda i: i % K == c,
range(...))`) keeps about N / K items, small below 100,000; a stepped range (`range(0, 10**13,
10**6)`, where every item may pass) or items mapped from the range (`map(f, range(...))`,
`enumerate`) are not counted so. A slice of the last few (`rows[-5:]`), of a literal stop
(`rows[:3]`) or of a literal width (`rows[k:k + 3]`), with a literal below 100,000 and no step but a
positive literal one, holds at most that many, whatever is sliced (`rows[-5::-1]` walks backwards
over all the rest, and stays data).)md";

}  // namespace heaplint
