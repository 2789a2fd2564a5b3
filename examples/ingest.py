"""A small ingestion module with the memory antipatterns heaplint reports by default. Each is
reported with the evidence that makes it worth fixing: one item per line or row of data, a
collector left off, a default argument that only grows.

`heaplint check --preview` also reports on weaker evidence, such as the list built in
`mean_price()` from a parameter whose size nothing in the code tells."""
import csv
import gc


def longest_line(path):
    with open(path) as handle:
        # Every line of the file is kept in a list only to find the longest.
        return max([len(line) for line in handle])


def count_refunds(path):
    with open(path, newline="") as handle:
        # A list of every matching row, built only to be counted.
        return len([row for row in csv.reader(handle) if row[2] == "refund"])


def import_rows(path, store):
    with open(path) as handle:
        for line in handle:
            store.save(line.split(","))
            gc.collect()  # a full collection for every line of the file


def bulk_load(records, store):
    gc.disable()  # never turned back on: the process runs without the cycle collector
    for record in records:
        store.save(record)


def normalise(word, _seen={}):
    # A mutable default filled with every word ever passed: a cache that never forgets.
    if word not in _seen:
        _seen[word] = word.strip().lower()
    return _seen[word]


def vocabulary(path):
    words = set()
    with open(path) as handle:
        for line in handle:
            words.add(normalise(line))
    return words


def mean_price(items):
    return sum([item.price for item in items]) / len(items)
