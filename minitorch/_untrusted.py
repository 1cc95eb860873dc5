"""Reading files that may be hostile: memory grows with the bytes a file really holds, never
with a size its header claims (a header can claim terabytes, and a small gzip or zip entry
can inflate to gigabytes)."""

from __future__ import annotations

import io

_CHUNK = 1 << 20


def read_at_most(stream: io.BufferedIOBase, limit: int) -> tuple[bytearray, bool]:
    """Up to ``limit`` bytes of ``stream`` (fewer where it ends), and whether it ended cleanly:
    False when a compressed stream stops before its end marker (the bytes read until then
    are returned).

    The bytes come as a bytearray, so ``np.frombuffer`` makes a writable array of them
    without another copy.
    """
    data = bytearray()
    try:
        while len(data) < limit:
            # read1: whatever one step of decompression gives, so that a stream cut short
            # still yields the bytes before the cut.
            chunk = stream.read1(min(limit - len(data), _CHUNK))
            if not chunk:
                break
            data += chunk
    except EOFError:
        return data, False
    return data, True
