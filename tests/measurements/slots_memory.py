#!/usr/bin/env python3
"""Measures what `__slots__` saves per instance on the running CPython, with tracemalloc.

MEM401's documentation tabulates these figures and its message quotes them. For each attribute
count, 100,000 instances are created with every attribute set to the same shared object, so only
the instances themselves (and their __dict__, if any) are counted.

    python3 tests/measurements/slots_memory.py            # a table for this interpreter
"""
import gc
import platform
import tracemalloc

INSTANCES = 100_000


def make_classes(count):
    names = [f"a{i}" for i in range(count)]
    body = "".join(f"        self.{n} = value\n" for n in names) or "        pass\n"
    source = (
        "class Plain:\n"
        "    def __init__(self, value):\n" + body +
        "class Slotted:\n"
        f"    __slots__ = {tuple(names)!r}\n"
        "    def __init__(self, value):\n" + body)
    namespace = {}
    exec(source, namespace)
    return namespace["Plain"], namespace["Slotted"]


def bytes_per_instance(cls, materialize_dict=False):
    shared = object()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    instances = [cls(shared) for _ in range(INSTANCES)]
    if materialize_dict:
        # Touching __dict__ (vars(), pickling, some debuggers) turns the inline values of
        # CPython 3.11+ into a real dictionary.
        for instance in instances:
            instance.__dict__
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    list_bytes = len(instances) * 8  # the list's pointers
    del instances
    return (after - before - list_bytes) / INSTANCES


def main():
    print(f"CPython {platform.python_version()}: bytes per instance (tracemalloc, "
          f"{INSTANCES:,} instances)")
    print("attributes  without_slots  with___dict___used  with_slots  saved  saved_with_dict")
    for count in range(1, 11):
        plain, slotted = make_classes(count)
        without = bytes_per_instance(plain)
        with_dict = bytes_per_instance(plain, materialize_dict=True)
        with_slots = bytes_per_instance(slotted)
        print(f"{count:10}  {without:13.0f}  {with_dict:18.0f}  {with_slots:10.0f}  "
              f"{without - with_slots:5.0f}  {with_dict - with_slots:15.0f}")


if __name__ == "__main__":
    main()
