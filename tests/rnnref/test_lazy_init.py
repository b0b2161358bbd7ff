"""rnnref/__init__: every public name of every module, loaded only when used (real imports, in subprocesses)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import rnnref

PKG = Path(rnnref.__file__).resolve().parent


def modules_with_all() -> list[str]:
    return sorted(p.stem for p in PKG.glob("*.py")
                  if not p.stem.startswith("_") and "\n__all__" in "\n" + p.read_text(encoding="utf-8"))


def in_fresh_python(code: str):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout)


class TestLazyInit:
    def test_one_name_loads_only_its_module(self):
        """`from rnnref import add_bias` loads rnnref.rnn (and what it imports), never scipy or rnnref.esn."""
        loaded = in_fresh_python("import json, sys\nfrom rnnref import add_bias\n"
                                 "print(json.dumps(sorted(m for m in sys.modules "
                                 "if m.startswith(('rnnref', 'scipy')))))")
        assert "rnnref.rnn" in loaded and "rnnref.esn" not in loaded and not any(m.startswith("scipy") for m in loaded)

    def test_all_is_every_modules_all(self):
        """rnnref.__all__ is the union of the modules' __all__, and each name is the module's own object."""
        names = {}
        for m in modules_with_all():
            mod = importlib.import_module(f"rnnref.{m}")
            names.update(dict.fromkeys(mod.__all__, mod))
        assert rnnref.__all__ == sorted(names)
        for name, mod in names.items():
            if name not in ("gradcheck", "rtrl"):
                assert getattr(rnnref, name) is getattr(mod, name), name

    def test_star_import_binds_every_name(self):
        """`from rnnref import *` binds every name of __all__, the esn functions included."""
        got = in_fresh_python("import json\nfrom rnnref import *\nimport rnnref\n"
                              "print(json.dumps([n for n in rnnref.__all__ if n not in globals()] + "
                              "[callable(esn_states), callable(lstm_forward)]))")
        assert got == [True, True]

    def test_shadowed_names_stay_functions(self):
        """rnnref.gradcheck and rnnref.rtrl are the functions, even once their modules are imported by name."""
        got = in_fresh_python("import importlib, json, types\nimport rnnref\n"
                              "gc = importlib.import_module('rnnref.gradcheck')\n"
                              "rt = importlib.import_module('rnnref.rtrl')\n"
                              "print(json.dumps([isinstance(gc, types.ModuleType), rnnref.gradcheck is gc.gradcheck, "
                              "rnnref.rtrl is rt.rtrl, isinstance(rnnref.esn, types.ModuleType)]))")
        assert got == [True, True, True, True]
