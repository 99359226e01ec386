"""What the machine can hold: memory and disk checked before a large allocation or write.

`check_fits(needed, what, hint)` raises ResourceLimitError (a ValueError: bad input, one line)
when `needed` bytes of memory are more than the machine has available, and `check_disk` the
same for the free space where files will go; both messages carry the figures.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

MEMORY_SHARE = 0.8  # of the available memory a single allocation plan may take


class ResourceLimitError(ValueError):
    """A setting asks for more memory or disk than the machine has; the message gives both figures."""


def human(n: float) -> str:
    """Bytes in words: '7.3 TiB'."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} PiB"  # not reached


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux: MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def free_disk(path) -> int | None:
    """Free bytes on the disk that holds `path` (or its nearest existing parent), or None if unknown."""
    for p in (Path(path), *Path(path).parents):
        if p.exists():
            try:
                return shutil.disk_usage(p).free
            except OSError:
                return None
    return None


def check_fits(needed: float, what: str, hint: str) -> None:
    """Refuse a plan that needs more memory than MEMORY_SHARE of what is available."""
    have = available_memory()
    if have is not None and needed > MEMORY_SHARE * have:
        raise ResourceLimitError(f"{what} would need about {human(needed)} of memory; this machine has "
                                 f"{human(have)} available: {hint}")


def check_disk(needed: float, folder, what: str, hint: str) -> None:
    """Refuse writing `needed` bytes into `folder` when its disk has less free."""
    free = free_disk(folder)
    if free is not None and needed > free:
        raise ResourceLimitError(f"{what} would write about {human(needed)} into {folder}; its disk has "
                                 f"{human(free)} free: {hint}")
