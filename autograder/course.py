"""The kit as an nbgrader course: ``rnngrade nbgrader init COURSE_DIR``.

Writes a standard nbgrader course directory: ``nbgrader_config.py`` (only when there is none:
an instructor's own settings are never overwritten) and ``source/<assignment>/<assignment>.ipynb``
from ``solutions/`` (the nbgrader source notebooks, with any data files beside them), and the
course secret ``.rnngrade-secret`` of the hidden inputs (seeds.py) when there is none. It never
touches ``gradebook.db``, ``release/``, ``submitted/``, ``autograded/`` or ``feedback/``, so running
it again is safe: it only refreshes the source notebooks from the kit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CourseError  # noqa: F401 - course.CourseError, as before
from .seeds import SECRET_NAME, create_secret

CONFIG_NAME = "nbgrader_config.py"
CELL_TIMEOUT_S = 120  # nbgrader's per-cell limit when it executes a notebook (the experiments train small models)

CONFIG_TEMPLATE = '''\
# nbgrader configuration of an RNN exercise-kit course, written by `rnngrade nbgrader init`.
# Edit freely: `rnngrade nbgrader init` never overwrites this file once it exists.
import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = {course_id!r}
# the course's root is this file's folder, wherever nbgrader is started from
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# the gradebook: SQLite inside the course (any SQLAlchemy URL works, e.g. PostgreSQL on a shared hub)
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")

# seconds a cell may run when `nbgrader autograde` executes a notebook (the experiments train small models)
c.Execute.timeout = {timeout}
# the stub of a solution region: the same as the kit's assignments/ stubs
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}

# On a JupyterHub, uncomment and set the exchange so that students can fetch and submit:
# c.Exchange.root = "/srv/nbgrader/exchange"

# The equations of `nbgrader generate_feedback`'s HTML: MathJax from the copy installed with the kit
# (the PyPI package jupyter-server-mathjax), not from a CDN, so that they show without internet access
# when the feedback file is opened on a machine with the kit installed at the same path (the hub's image).
# nbgrader's feedback template calls nbconvert's `mathjax()` macro without a URL (HTMLExporter.mathjax_url
# alone does nothing there), so its exporter gets a macro whose default is the local file.
try:
    import pathlib

    import jupyter_server_mathjax
    from jinja2 import DictLoader
    from nbconvert.exporters import HTMLExporter
    from traitlets import default

    MATHJAX_JS = pathlib.Path(jupyter_server_mathjax.__file__).parent / "static" / "MathJax.js"
    MATHJAX_URL = MATHJAX_JS.as_uri() + "?config=TeX-AMS-MML_HTMLorMML-full,Safe"

    class LocalMathJaxHTMLExporter(HTMLExporter):
        """nbconvert's HTML exporter with MathJax from MATHJAX_URL, also where a template gives no URL."""

        @default("mathjax_url")
        def _local_mathjax_url(self):
            return MATHJAX_URL

        @default("extra_loaders")
        def _local_mathjax_macro(self):
            # the local copy has the HTML-CSS output with the STIX-Web fonts (as the classic notebook configures it)
            fonts = ('<script type="text/x-mathjax-config">MathJax.Hub.Config({{"HTML-CSS": {{availableFonts: [], '
                     'preferredFont: null, webFont: "STIX-Web", imageFont: null}}}});</script>')
            macro = ("{{% import 'nbconvert/templates/base/mathjax.html.j2' as nbconvert_mathjax %}}"
                     "{{% macro mathjax(url=None) %}}" + fonts +
                     "{{{{ nbconvert_mathjax.mathjax(url or LOCAL) }}}}{{% endmacro %}}")
            return [DictLoader({{"mathjax.html.j2": macro.replace("LOCAL", repr(MATHJAX_URL))}})]

    c.GenerateFeedback.exporter_class = LocalMathJaxHTMLExporter
except ImportError:  # without jupyter-server-mathjax the feedback loads MathJax from nbconvert's CDN default
    pass
'''

#: files of a solutions/<name>/ folder that are the kit's own sources, not course data
_SOURCE_ONLY = re.compile(r".*\.(py|nb\.py)$|^__pycache__$|^\.")


@dataclass
class InitReport:
    course: Path
    config_written: bool
    written: list = field(default_factory=list)  # paths created or changed
    unchanged: list = field(default_factory=list)


def parse_assignments(text: str | None, known: list[str], course: Path | None = None) -> list[str]:
    """"a,b" -> ["a", "b"], each one of the kit's exercises; None or "" -> the kit's exercises the course
    already has in source/ (a second init refreshes the course's choice), or every exercise for a new one."""
    if not text:
        present = [n for n in known if course is not None and (Path(course) / "source" / n).is_dir()]
        return present or list(known)
    names = [n.strip() for n in text.split(",") if n.strip()]
    for n in names:
        if n not in known:
            raise CourseError(f"unknown assignment {n!r}: use a comma-separated list of {', '.join(known)}")
    return list(dict.fromkeys(names))


def course_files(kit_root: Path, name: str) -> dict[str, Path]:
    """{path relative to source/<name>/: file in the kit} for one exercise: its source notebook and data."""
    folder = kit_root / "solutions" / name
    notebook = folder / f"{name}.ipynb"
    if not notebook.is_file():
        raise CourseError(f"{notebook} is missing: run `rnngrade release` in the kit first")
    files = {f"{name}.ipynb": notebook}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if p.is_file() and p != notebook and not any(_SOURCE_ONLY.match(part) for part in rel.parts):
            files[str(rel)] = p
    return files


def _write_if_changed(dest: Path, data: bytes, report: InitReport) -> None:
    if dest.is_file() and dest.read_bytes() == data:
        report.unchanged.append(dest)
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(dest)
    report.written.append(dest)


def init_course(course: Path, kit_root: Path, assignments: list[str], course_id: str | None = None) -> InitReport:
    """Create or update the nbgrader course at ``course``; see the module docstring."""
    course = Path(course)
    if course.exists() and not course.is_dir():
        raise CourseError(f"{course} is a file, not a folder: pass the course directory (it is created if missing)")
    config = course / CONFIG_NAME
    if course_id is not None and not re.fullmatch(r"[A-Za-z0-9][\w.-]*", course_id):
        raise CourseError(f"course id {course_id!r} is not usable: use letters, digits, '.', '_' or '-'")
    if config.exists() and course_id is not None:
        current = re.search(r"course_id\s*=\s*['\"]([^'\"]*)['\"]", config.read_text(encoding="utf-8", errors="replace"))
        if current and current.group(1) != course_id:
            raise CourseError(f"{config} already sets course_id {current.group(1)!r}: edit that file to change it, "
                              f"or leave out --course-id")
    sources = {name: course_files(kit_root, name) for name in assignments}  # all checked before writing
    course.mkdir(parents=True, exist_ok=True)
    report = InitReport(course, config_written=False)
    if not config.exists():
        text = CONFIG_TEMPLATE.format(course_id=course_id or "rnn", timeout=CELL_TIMEOUT_S)
        _write_if_changed(config, text.encode("utf-8"), report)
        report.config_written = True
    for name, files in sources.items():
        for rel, src in files.items():
            _write_if_changed(course / "source" / name / rel, src.read_bytes(), report)
    if not (course / SECRET_NAME).exists():  # the hidden inputs' secret, once: a new one would change them all
        report.written.append(create_secret(course))
    return report



def filled_release(release: dict, source: dict, edits=(), extra: dict | None = None) -> dict:
    """A student's notebook as tests and benchmarks need one: the released notebook (a dict) with every
    solution cell filled in from the source notebook, ``edits`` [(old, new)] applied to the answers, and
    ``extra`` {function name: code} appended to the cell defining that function."""
    import copy

    def text(cell) -> str:
        return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]

    answers = {c["metadata"]["nbgrader"]["grade_id"]: text(c) for c in source["cells"]
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    nb = copy.deepcopy(release)
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("solution"):
            continue
        body = answers[meta["grade_id"]] if meta["grade_id"] in answers else text(cell)
        for old, new in edits:
            body = body.replace(old, new)
        for function, code in (extra or {}).items():
            if f"def {function}(" in body:
                body += "\n" + code
        cell["source"] = body
    return nb
