# A small SortedList registered as module `sortedcontainers` inside the sandbox: some
# LeetCode preludes import it and the system Python does not ship it. Written for this
# project (list-of-sublists, O(sqrt n) updates); covers the common SortedList API only,
# not SortedDict/SortedSet.
import sys as _sys, types as _types
from bisect import bisect_left as _bl, bisect_right as _br, insort as _insort

_LOAD = 512


class SortedList:
    def __init__(self, iterable=(), key=None):
        self._key = key
        self._lists = []   # sorted sublists of values
        self._keys = []    # their keys (same shape), or None without key
        self._len = 0
        self.update(iterable)

    def _k(self, v):
        return v if self._key is None else self._key(v)

    def _kl(self, i):
        return self._lists[i] if self._key is None else self._keys[i]

    def clear(self):
        self._lists, self._keys, self._len = [], [], 0

    def update(self, iterable):
        vals = list(iterable)
        if not vals:
            return
        vals += [x for sub in self._lists for x in sub]
        vals.sort(key=self._key)
        self._lists = [vals[i:i + _LOAD] for i in range(0, len(vals), _LOAD)]
        self._keys = [[self._key(v) for v in sub] for sub in self._lists] if self._key else []
        self._len = len(vals)

    def _find(self, k, right):
        """(sublist index, position) of the bisect point of key k."""
        lists = self._lists
        if not lists:
            return 0, 0
        lo, hi = 0, len(lists)
        while lo < hi:  # first sublist whose last key is > k (right) or >= k (left)
            mid = (lo + hi) // 2
            last = self._kl(mid)[-1]
            if (last > k) if right else (last >= k):
                hi = mid
            else:
                lo = mid + 1
        if lo == len(lists):
            return lo - 1, len(lists[-1])
        return lo, (_br if right else _bl)(self._kl(lo), k)

    def add(self, value):
        k = self._k(value)
        if not self._lists:
            self._lists.append([value])
            if self._key:
                self._keys.append([k])
        else:
            i, j = self._find(k, True)
            self._lists[i].insert(j, value)
            if self._key:
                self._keys[i].insert(j, k)
            if len(self._lists[i]) > 2 * _LOAD:
                self._lists[i + 1:i + 1] = [self._lists[i][_LOAD:]]
                del self._lists[i][_LOAD:]
                if self._key:
                    self._keys[i + 1:i + 1] = [self._keys[i][_LOAD:]]
                    del self._keys[i][_LOAD:]
        self._len += 1

    def _delete(self, i, j):
        v = self._lists[i].pop(j)
        if self._key:
            self._keys[i].pop(j)
        if not self._lists[i]:
            del self._lists[i]
            if self._key:
                del self._keys[i]
        self._len -= 1
        return v

    def _locate(self, value):
        k = self._k(value)
        i, j = self._find(k, False)
        while i < len(self._lists):
            sub, ks = self._lists[i], self._kl(i)
            while j < len(sub) and ks[j] == k:
                if sub[j] == value:
                    return i, j
                j += 1
            if j < len(sub):
                break
            i, j = i + 1, 0
        return None

    def discard(self, value):
        loc = self._locate(value)
        if loc:
            self._delete(*loc)

    def remove(self, value):
        loc = self._locate(value)
        if not loc:
            raise ValueError(f'{value!r} not in list')
        self._delete(*loc)

    def _pos(self, idx):
        if idx < 0:
            idx += self._len
        if not 0 <= idx < self._len:
            raise IndexError('list index out of range')
        for i, sub in enumerate(self._lists):
            if idx < len(sub):
                return i, idx
            idx -= len(sub)

    def pop(self, index=-1):
        if not self._len:
            raise IndexError('pop from empty list')
        return self._delete(*self._pos(index))

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        i, j = self._pos(index)
        return self._lists[i][j]

    def __delitem__(self, index):
        if isinstance(index, slice):
            keep = list(self)
            del keep[index]
            self.clear()
            self.update(keep)
        else:
            self._delete(*self._pos(index))

    def _index_of(self, i, j):
        return sum(len(s) for s in self._lists[:i]) + j

    def bisect_left(self, value):
        return self._index_of(*self._find(self._k(value), False))

    def bisect_right(self, value):
        return self._index_of(*self._find(self._k(value), True))

    bisect = bisect_right

    def bisect_key_left(self, k):
        return self._index_of(*self._find(k, False))

    def bisect_key_right(self, k):
        return self._index_of(*self._find(k, True))

    def index(self, value):
        loc = self._locate(value)
        if not loc:
            raise ValueError(f'{value!r} not in list')
        return self._index_of(*loc)

    def count(self, value):
        return sum(1 for v in self.irange(value, value) if v == value) if self._key is None else sum(1 for v in self if v == value)

    def irange(self, minimum=None, maximum=None, inclusive=(True, True), reverse=False):
        lo = 0 if minimum is None else (self.bisect_left(minimum) if inclusive[0] else self.bisect_right(minimum))
        hi = self._len if maximum is None else (self.bisect_right(maximum) if inclusive[1] else self.bisect_left(maximum))
        return self.islice(lo, hi, reverse)

    def islice(self, start=None, stop=None, reverse=False):
        items = list(self)[start:stop]
        return iter(reversed(items) if reverse else items)

    def __len__(self):
        return self._len

    def __iter__(self):
        for sub in self._lists:
            yield from sub

    def __reversed__(self):
        for sub in reversed(self._lists):
            yield from reversed(sub)

    def __contains__(self, value):
        return self._locate(value) is not None

    def __bool__(self):
        return self._len > 0

    def __eq__(self, other):
        return list(self) == list(other)

    def __repr__(self):
        return f'SortedList({list(self)!r})'


SortedKeyList = SortedList
_mod = _types.ModuleType('sortedcontainers')
_mod.SortedList = SortedList
_mod.SortedKeyList = SortedKeyList
_sys.modules['sortedcontainers'] = _mod
