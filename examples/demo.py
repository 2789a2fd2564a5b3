"""A small module with the memory antipatterns heaplint looks for."""
import math


def total_weight(parcels):
    return sum([parcel.weight for parcel in parcels])


def any_overdue(invoices, today):
    return any([invoice.due < today for invoice in invoices])


def geometric_mean(values):
    return math.prod([v for v in values]) ** (1 / len(values))
