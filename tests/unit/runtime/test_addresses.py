"""The argument tables of a call: the address book must give every array's own address, also
when an array is replaced by another between calls."""

import gc

import numpy as np

from snngen.standalone.addresses import AddressBook


def test_the_address_book_gives_each_arrays_own_address_call_after_call():
    book = AddressBook()
    kept, replaced = np.zeros(10), np.zeros(10)
    assert list(book.addresses([kept, replaced])) == [kept.ctypes.data, replaced.ctypes.data]
    del replaced
    gc.collect()
    # A new array, possibly where the replaced one was in memory and under its id.
    fresh = [np.ones(n) for n in (10, 20, 30)]
    for new in fresh:
        assert list(book.addresses([kept, new])) == [kept.ctypes.data, new.ctypes.data]
    # It holds only the arrays of the last call.
    assert len(book._known) == 2
