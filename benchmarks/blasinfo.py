"""What the benchmarks say about BLAS first: the library, its version, the kernel (CPU architecture) it runs and its
threads (threadpoolctl), and whether OPENBLAS_CORETYPE forces a kernel: the development machines set it, which makes a
current numpy run an older kernel than a user's machine would. ``user_env()`` is the environment without it."""

from __future__ import annotations

import os

FORCED = "OPENBLAS_CORETYPE"


def blas_lines(who: str = "this process") -> list[str]:
    """One line per BLAS library loaded here (numpy's), and one about OPENBLAS_CORETYPE when it is set."""
    import numpy  # noqa: F401 - loads its BLAS
    from threadpoolctl import threadpool_info

    lines = []
    for p in threadpool_info():
        if p.get("user_api") != "blas":
            continue
        lines.append(f"BLAS ({who}): {p.get('internal_api')} {p.get('version')}, kernel {p.get('architecture')}, "
                     f"{p.get('num_threads')} thread(s), {os.path.basename(p.get('filepath', ''))}")
    if not lines:
        lines.append(f"BLAS ({who}): none found by threadpoolctl")
    forced = os.environ.get(FORCED)
    if forced:
        lines.append(f"{FORCED}={forced} is set here: OpenBLAS runs its {forced} kernel instead of the one it picks "
                     f"for this CPU (a user's machine does not set it)")
    return lines


def user_env(extra: dict | None = None) -> dict:
    """os.environ as on a user's machine: no OPENBLAS_CORETYPE, bytecode caching on; plus extra."""
    env = {k: v for k, v in os.environ.items() if k not in (FORCED, "PYTHONDONTWRITEBYTECODE")}
    env.update(extra or {})
    return env
