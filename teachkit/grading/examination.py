"""The examiner: the process that holds the tests and grades a live notebook through a pipe.

``python -I -m teachkit.grading.examination JOB`` runs beside the notebook's process, in its own
sandbox, connected to it by a socket. The test sources (read by the grader before any notebook
ran) and their expected outputs exist only here. At every ``grader.check(...)`` and after the
notebook's last cell, the notebook's process stops and answers requests
(:mod:`teachkit.grading.answers`) while this process runs the tests, as ``otter run`` would at
that point:

* **python-format tests** (Otter's ``test_case`` functions) get each global they name as a
  parameter: data (ArviZ data, arrays, tables, numbers, ...) is copied over (the fast path; a
  ``pymc.Model`` arrives as :func:`teachkit.checks.describe_model`); functions, generators,
  classes, instances and other objects arrive as **proxies** that forward calls, attribute
  access, iteration, indexing, operators and ``repr`` to the notebook's process and return data
  or more proxies; modules (``np``) are imported here by name. A test taking ``env`` gets a
  mapping that looks names up in the notebook.
* **OK-format tests** (doctests) run with Otter's own runner on a globals mapping that looks up
  each name the doctest uses in the notebook (as the doctest would see the kernel's globals),
  so their output is produced and compared here with doctest's ``OutputChecker``.

Expected outputs and test code never leave this process: the notebook sees only the operations
a test performs on its objects and the arguments it passes. Nothing the notebook sends is
unpickled or evaluated (:mod:`teachkit.grading.wire`). Each request has its own time limit; a
function that never returns fails that test case, and one that ignores the interruption gets
the notebook stopped (the grader is told through the control pipe). Points are Otter's: per
case, ``points`` as a number or list, hidden cases, ``all_or_nothing``, success and failure
messages; a question checked more than once keeps its last result, and questions never checked
are graded on the state after the last cell.

Examples
--------
>>> tests = {"q1": 'OK_FORMAT = True\\ntest = {"name": "q1", "points": 1, "suites": [{"cases": '
...          '[{"code": ">>> square(3)\\\\n9"}], "type": "doctest"}]}'}
>>> run_offline(tests, {"square": lambda x: x * x})["questions"]["q1"]["score"]
1.0
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from teachkit.grading import wire
from teachkit.grading.assignment import file_format, graded_names, parse_test_file

EXAMINER_MODULE = "teachkit.grading.examination"
REQUEST_TIMEOUT = 30.0
"""Seconds each request to the notebook may take (a student function called by a test)."""
GRACE = 5.0
"""Seconds after a request's limit before the notebook counts as unresponsive."""


# --- errors ------------------------------------------------------------------------------------------

class StudentError(Exception):
    """An exception raised by the student's code that is not an ordinary exception here
    (``SystemExit``, ``KeyboardInterrupt``, a request's time limit)."""


class StudentGone(StudentError):
    """The notebook's process stopped answering (it exited, crashed or hung)."""


_EXC_CLASSES: dict[tuple, type] = {}


def _exception_class(info: dict) -> type:
    t = info.get("type") or {}
    module, qualname, name = str(t.get("module", "")), str(t.get("qualname", "Error")), str(t.get("name", "Error"))
    if module == "builtins":
        cls = getattr(builtins, name, None)
        if isinstance(cls, type) and issubclass(cls, Exception):
            return cls
    # the nearest built-in base that is an ordinary exception here; SystemExit, KeyboardInterrupt
    # and the like must never stop the examiner, so they become StudentError
    base = StudentError
    for b in info.get("bases") or []:
        cand = getattr(builtins, str(b), None)
        if isinstance(cand, type) and issubclass(cand, Exception):
            base = cand
            break
    key = (module, qualname, name, base)
    if key not in _EXC_CLASSES:
        try:
            cls = type(name if name.isidentifier() else "StudentException", (base,),
                       {"__module__": module or "__main__", "__qualname__": qualname})
        except TypeError:  # a base that cannot be subclassed
            cls = type(name if name.isidentifier() else "StudentException", (StudentError,),
                       {"__module__": module or "__main__", "__qualname__": qualname})
        _EXC_CLASSES[key] = cls
    return _EXC_CLASSES[key]


def _make_exception(info: dict, decode) -> Exception:
    cls = _exception_class(info)
    message = str(info.get("str", ""))
    args = None
    if info.get("args") is not None:
        try:
            args = decode(info["args"])
        except Exception:
            args = None
    exc = None
    if isinstance(args, tuple):
        try:
            exc = cls(*args)
            if cls is StopIteration and "value" in info:
                exc.value = decode(info["value"])
        except Exception:
            exc = None
    if exc is None or str(exc) != message:
        try:
            exc = cls(message)
        except Exception:
            exc = StudentError(message)
    return exc


# --- the connection to the notebook --------------------------------------------------------------

class Student:
    """The examiner's end of the socket: requests, events, proxies.

    Parameters
    ----------
    sock : socket.socket
    request_timeout : float
        Seconds each request may take.
    on_hang : callable, optional
        Called once when the notebook stops answering (the grader then kills it).
    """

    def __init__(self, sock: socket.socket, *, request_timeout: float = REQUEST_TIMEOUT, on_hang=None):
        self.sock = sock
        self.request_timeout = request_timeout
        self.on_hang = on_hang
        self.gone: str | None = None
        self._next_id = 0
        self._proxies: dict[int, Any] = {}
        self._classes: dict[tuple, type] = {}

    # events ---------------------------------------------------------------------------------------

    def next_event(self) -> dict | None:
        """The notebook's next message (a checkpoint or the end); None when it is gone."""
        if self.gone:
            return None
        self.sock.settimeout(None)
        try:
            header, _ = wire.recv_frame(self.sock)
        except (EOFError, OSError, wire.WireError) as exc:
            self.gone = f"the notebook's process closed the connection ({type(exc).__name__})"
            return None
        if header.get("op") not in ("checkpoint", "finished"):
            self._broken("the notebook's process sent a message out of turn")
            return None
        return header

    def send(self, header: dict) -> None:
        if self.gone:
            return
        try:
            wire.send_frame(self.sock, header)
        except OSError:
            self.gone = "the notebook's process closed the connection"

    def _broken(self, why: str) -> None:
        self.gone = why
        try:
            self.sock.close()
        except OSError:
            pass

    # requests -------------------------------------------------------------------------------------

    def request(self, op: str, blobs_from=None, **fields) -> dict:
        """Send one request; return the raw reply (``value``/``missing``/``values``...)."""
        if self.gone:
            raise StudentGone(self.gone)
        self._next_id += 1
        rid = self._next_id
        header = {"id": rid, "op": op, "timeout": self.request_timeout, **fields}
        try:
            wire.send_frame(self.sock, header, blobs_from or [])
            self.sock.settimeout(self.request_timeout + GRACE)
            reply, blobs = wire.recv_frame(self.sock)
        except TimeoutError:
            why = (f"the notebook's code did not answer within {self.request_timeout:g} s and ignored "
                   "the interruption; the notebook was stopped there")
            self._broken(why)
            if self.on_hang is not None:
                self.on_hang(why)
            raise StudentGone(why) from None
        except (EOFError, OSError, wire.WireError) as exc:
            self._broken(f"the notebook's process stopped answering ({type(exc).__name__}: {exc})")
            raise StudentGone(self.gone) from None
        if reply.get("id") != rid:
            self._broken("the notebook's process answered out of turn")
            raise StudentGone(self.gone)
        out = reply.get("stdout")
        if isinstance(out, str) and out:
            sys.stdout.write(out)
        if "raise" in reply:
            raise _make_exception(reply["raise"] if isinstance(reply["raise"], dict) else {},
                                  lambda t: self.decode(t, blobs))
        reply["_blobs"] = blobs
        return reply

    def value(self, op: str, **fields) -> Any:
        """A request whose answer is one value."""
        args_blobs = fields.pop("_blobs", None)
        reply = self.request(op, blobs_from=args_blobs, **fields)
        try:
            return self.decode(reply.get("value"), reply["_blobs"])
        except wire.WireError as exc:
            self._broken(f"the notebook's process sent malformed data ({exc})")
            raise StudentGone(self.gone) from None

    def decode(self, tree, blobs):
        return wire.decode(tree, blobs, handle=self.proxy, module=_import_here)

    def encode(self, *values) -> tuple[list, list[bytes]]:
        """Arguments for the notebook: data, proxies (as references), modules (by name)."""
        enc = wire.Encoder(ref=lambda v: object.__getattribute__(v, "_tk_id") if isinstance(v, Proxy) else None)
        return [enc.encode(v) for v in values], enc.blobs

    def resolve(self, name: str):
        """A global of the notebook: its value, or :data:`MISSING`."""
        reply = self.request("resolve", name=name)
        if reply.get("missing"):
            return MISSING
        try:
            return self.decode(reply.get("value"), reply["_blobs"])
        except wire.WireError as exc:
            self._broken(f"the notebook's process sent malformed data ({exc})")
            raise StudentGone(self.gone) from None

    def apply(self, fn: str, *args):
        tree, blobs = self.encode(*args)
        return self.value("apply", fn=fn, args=tree, _blobs=blobs)

    # proxies --------------------------------------------------------------------------------------

    def proxy(self, info: dict) -> Any:
        try:
            hid = int(info["id"])
        except (KeyError, TypeError, ValueError):
            raise wire.WireError("a handle without an id") from None
        if hid in self._proxies:
            return self._proxies[hid]
        t = info.get("type") if isinstance(info.get("type"), dict) else {}
        dunders = tuple(sorted(d for d in info.get("dunders", []) if isinstance(d, str) and d in _FORWARDERS))
        key = (str(t.get("module")), str(t.get("qualname")), dunders, bool(info.get("isclass")))
        cls = self._classes.get(key)
        if cls is None:
            cls = _proxy_class(t, dunders, bool(info.get("isclass")))
            self._classes[key] = cls
        p = object.__new__(cls)
        object.__setattr__(p, "_tk_student", self)
        object.__setattr__(p, "_tk_id", hid)
        self._proxies[hid] = p
        return p


class _Missing:
    def __repr__(self):
        return "MISSING"


MISSING = _Missing()


def _import_here(name: str):
    """The examiner's own copy of an installed module, or None (the student's own file)."""
    if not name or len(name) > 200 or not all(part.isidentifier() for part in name.split(".")):
        return None
    if name in sys.modules:
        return sys.modules[name]
    try:
        if importlib.util.find_spec(name.split(".")[0]) is None:
            return None
        return importlib.import_module(name)
    except Exception:
        return None


# --- proxies -------------------------------------------------------------------------------------------

def _student(p) -> Student:
    return object.__getattribute__(p, "_tk_student")


def _hid(p) -> int:
    return object.__getattribute__(p, "_tk_id")


class Proxy:
    """A stand-in for an object that lives in the notebook's process."""

    __slots__ = ("_tk_id", "_tk_student")

    def __getattr__(self, name):
        if name.startswith("_tk_"):
            raise AttributeError(name)
        return _student(self).value("getattr", target=_hid(self), name=name)

    def __setattr__(self, name, value):
        tree, blobs = _student(self).encode(value)
        _student(self).value("setattr", target=_hid(self), name=name, value=tree[0], _blobs=blobs)

    def __delattr__(self, name):
        _student(self).value("delattr", target=_hid(self), name=name)

    def __repr__(self):
        return _str_result(_student(self).apply("repr", self))

    def __str__(self):
        return _str_result(_student(self).apply("str", self))

    def __format__(self, spec):
        return _str_result(_student(self).apply("format", self, spec))

    def __eq__(self, other):
        return _student(self).apply("eq", self, other)

    def __ne__(self, other):
        return _student(self).apply("ne", self, other)

    def __lt__(self, other):
        return _student(self).apply("lt", self, other)

    def __le__(self, other):
        return _student(self).apply("le", self, other)

    def __gt__(self, other):
        return _student(self).apply("gt", self, other)

    def __ge__(self, other):
        return _student(self).apply("ge", self, other)

    def __hash__(self):
        h = _student(self).apply("hash", self)
        if type(h) is not int:
            raise TypeError("__hash__ did not return an int")
        return h

    def __dir__(self):
        got = _student(self).apply("dir", self)
        return [str(x) for x in got] if isinstance(got, list) else []

    @property
    def __doc__(self):
        return _student(self).value("getattr", target=_hid(self), name="__doc__")


def _str_result(v):
    if type(v) is not str:
        raise TypeError("the object's text form is not a str")
    return v


def _typed(kind):
    def check(v):
        if type(v) is not kind and not (kind is int and type(v) is bool):
            raise TypeError(f"expected {kind.__name__}, got {type(v).__name__}")
        return v
    return check


def _binary(fn):
    return lambda self, other: _student(self).apply(fn, self, other)


def _reflected(fn):
    return lambda self, other: _student(self).apply(fn, other, self)


def _unary(fn, check=None):
    if check is None:
        return lambda self: _student(self).apply(fn, self)
    return lambda self: check(_student(self).apply(fn, self))


def _call(self, *args, **kwargs):
    s = _student(self)
    (pos, kw), blobs = s.encode(list(args), list(kwargs.values()))
    return s.value("call", target=_hid(self), args=pos, kwargs=[[k, v] for k, v in zip(kwargs, kw)], _blobs=blobs)


def _round(self, n=None):
    return _student(self).apply("round", self) if n is None else _student(self).apply("round", self, n)


def _exit(self, *exc):
    return _student(self).apply("exit", self, None, None, None)


def _array(self, dtype=None, copy=None):
    import numpy as np

    got = _student(self).apply("asarray", self)
    if isinstance(got, Proxy):
        raise TypeError("the object cannot be converted to an array of data")
    return np.asarray(got, dtype=dtype)


def _instancecheck(self, instance):
    return bool(_typed(bool)(_student(self).apply("isinstance", instance, self)))


def _subclasscheck(self, sub):
    return bool(_typed(bool)(_student(self).apply("issubclass", sub, self)))


_OPS = {"add": "add", "sub": "sub", "mul": "mul", "truediv": "truediv", "floordiv": "floordiv", "mod": "mod",
        "pow": "pow", "matmul": "matmul", "and": "and_", "or": "or_", "xor": "xor", "lshift": "lshift",
        "rshift": "rshift", "divmod": "divmod"}

_FORWARDERS: dict[str, Any] = {
    "__call__": _call,
    "__len__": _unary("len", _typed(int)),
    "__iter__": _unary("iter"),
    "__next__": _unary("next"),
    "__reversed__": _unary("reversed"),
    "__getitem__": _binary("getitem"),
    "__setitem__": lambda self, k, v: _student(self).apply("setitem", self, k, v),
    "__delitem__": _binary("delitem"),
    "__contains__": lambda self, x: bool(_typed(bool)(_student(self).apply("contains", self, x))),
    "__bool__": _unary("bool", _typed(bool)),
    "__index__": _unary("index", _typed(int)),
    "__int__": _unary("int", _typed(int)),
    "__float__": _unary("float", _typed(float)),
    "__complex__": _unary("complex", _typed(complex)),
    "__round__": _round,
    "__enter__": _unary("enter"),
    "__exit__": _exit,
    "__neg__": _unary("neg"),
    "__pos__": _unary("pos"),
    "__abs__": _unary("abs"),
    "__invert__": _unary("invert"),
    "__array__": _array,
    "__instancecheck__": _instancecheck,
    "__subclasscheck__": _subclasscheck,
    **{f"__{op}__": _binary(fn) for op, fn in _OPS.items()},
    **{f"__r{op}__": _reflected(fn) for op, fn in _OPS.items()},
    **{f"__i{op}__": _binary("i" + fn.rstrip("_")) for op, fn in _OPS.items() if op != "divmod"},
}


def _unnamed_types() -> dict:
    import types

    return {(c.__module__, c.__qualname__): c for c in vars(types).values() if isinstance(c, type)}


_UNNAMED_TYPES = _unnamed_types()  # generator, function, method, module, ... (not in builtins)


def _mirror(t: dict):
    """The examiner's own class for the student's object's type, when it is a library type that
    is already imported here (so ``isinstance(proxy, types.GeneratorType)`` holds)."""
    module, qualname = str(t.get("module", "")), str(t.get("qualname", ""))
    if (module, qualname) in _UNNAMED_TYPES:
        return _UNNAMED_TYPES[module, qualname]
    if module in ("__main__", "") or module not in sys.modules or "<" in qualname:
        return None
    obj = sys.modules[module]
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj if isinstance(obj, type) else None


def _proxy_class(t: dict, dunders: tuple, isclass: bool) -> type:
    name = str(t.get("name") or "object")
    ns: dict[str, Any] = {"__slots__": (), "__module__": str(t.get("module") or "__main__")[:200],
                          "__qualname__": str(t.get("qualname") or name)[:200]}
    for d in dunders:
        ns[d] = _FORWARDERS[d]
    ns["__doc__"] = Proxy.__dict__["__doc__"]
    mirrored = _mirror(t)
    if mirrored is not None:
        ns["__class__"] = property(lambda self, c=mirrored: c)
    try:
        return type(name if name.isidentifier() else "StudentObject", (Proxy,), ns)
    except TypeError:
        ns.pop("__qualname__", None)
        return type("StudentObject", (Proxy,), ns)


# --- globals as the tests see them ---------------------------------------------------------------

class StudentGlobals(dict):
    """The notebook's globals for a doctest: names not set by the test are looked up in the
    notebook (once per checkpoint); names the notebook lacks fall through to builtins."""

    def __init__(self, student: Student, cache: dict, *args):
        super().__init__(*args)
        self._student = student
        self._cache = cache

    def __missing__(self, key):
        if not isinstance(key, str):
            raise KeyError(key)
        if key not in self._cache:
            try:
                self._cache[key] = self._student.resolve(key)
            except StudentGone:
                self._cache[key] = MISSING
        value = self._cache[key]
        if value is MISSING:
            raise KeyError(key)
        return value

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key):
        return dict.__contains__(self, key) or self.get(key, MISSING) is not MISSING

    def copy(self):
        return StudentGlobals(self._student, self._cache, dict(self))

    def keys(self):  # what `env.keys()` shows a test: the notebook's names
        try:
            names = self._student.value("names")
        except StudentError:
            names = []
        return list(dict.fromkeys([*dict.keys(self), *names]))


# --- examining -----------------------------------------------------------------------------------------

def _case_params(test_case) -> list[str]:
    import inspect

    try:
        return [p for p in inspect.signature(test_case.body.test_func).parameters if p != "env"]
    except (TypeError, ValueError, AttributeError):
        return []


class Examiner:
    """Run an assignment's tests against a live notebook.

    Parameters
    ----------
    tests : dict
        ``{question: test file source}`` (OK or python format).
    student : Student
    provenance : bool
        Check ArviZ data given to python-format tests with :func:`teachkit.checks.provenance.check_posterior`.
    budget : float
        Seconds of examination in all; questions left when it runs out get no points.
    control : callable, optional
        ``control(message: dict)`` tells the grader when examination pauses the notebook's clock.
    """

    def __init__(self, tests: dict[str, str], student: Student, *, provenance: bool = True,
                 budget: float = 600.0, control=None):
        self.sources = dict(tests)
        self.student = student
        self.provenance = provenance
        self.budget = budget
        self.control = control or (lambda message: None)
        self.results: dict[str, dict] = {}
        self.spent = 0.0
        self.events: list = []
        self.grader_errors: dict[str, str] = {}
        #: ``{"<global>.posterior": hash, ...}``: see :meth:`_fingerprint` (the integrity report)
        self.fingerprints: dict[str, str] = {}

    def run(self) -> dict:
        """Serve checkpoints until the notebook ends; return the results (JSON-ready)."""
        finished = False
        while True:
            event = self.student.next_event()
            if event is None:
                break
            if event["op"] == "checkpoint":
                qs = event.get("questions")
                names = sorted(self.sources) if qs is None else [q for q in qs if isinstance(q, str) and q in self.sources] if isinstance(qs, list) else []
                self._examine(names, at=event.get("cell"))
                self.student.send({"op": "resume"})
            else:
                finished = True
                self._examine([q for q in sorted(self.sources) if q not in self.results], at="end")
                self._fingerprint_values()
                self.student.send({"op": "exit"})
                break
        return {"questions": self.results, "finished": finished, "gone": self.student.gone,
                "spent": round(self.spent, 3), "events": self.events[-200:], "grader_errors": self.grader_errors,
                "fingerprints": self.fingerprints}

    def _fingerprint(self, name: str, value) -> None:
        """Hash the posterior draws and the observed data of ArviZ data a test received, here, from
        the copied arrays (never a value the notebook computed about itself)."""
        from teachkit.grading.integrity import array_fingerprint

        for group in ("posterior", "observed_data"):
            try:
                h = array_fingerprint(value, group)
            except Exception:
                h = None
            if h:
                self.fingerprints[f"{name}.{group}"] = h

    def _fingerprint_values(self) -> None:
        """After the last cell: hash the notebook's ``DATA_SEED`` and ``STUDENT_ID`` when they are
        plain values (one small export request; a missing name is skipped)."""
        if self.student.gone:
            return
        from teachkit.grading.integrity import value_fingerprint

        names = ["DATA_SEED", "STUDENT_ID"]
        try:
            reply = self.student.request("export", names=names)
        except StudentError:
            return
        values = reply.get("values") if isinstance(reply.get("values"), dict) else {}
        for n in names:
            tree = values.get(n)
            if isinstance(tree, (str, int, float)) and not isinstance(tree, bool):
                h = value_fingerprint(tree)
                if h:
                    self.fingerprints[n] = h

    def _examine(self, names: list[str], at) -> None:
        if not names:
            return
        self.control({"pause": True})
        t0 = time.monotonic()
        try:
            for q in names:
                if self.spent + (time.monotonic() - t0) > self.budget:
                    self.events.append({"question": q, "at": at, "skipped": "examination time ran out"})
                    continue
                self.results[q] = self.examine(q, at)
                self.events.append({"question": q, "at": at, "score": self.results[q]["score"]})
        finally:
            self.spent += time.monotonic() - t0
            self.control({"resume": True})

    def examine(self, q: str, at=None) -> dict:
        """Run question ``q``'s test file now; ``{"score", "possible", "cases", "at"}``."""
        src = self.sources[q]
        try:
            tf = parse_test_file(src, q)
        except Exception as exc:
            self.grader_errors[q] = f"{type(exc).__name__}: {exc}"[:500]
            raise
        problems: dict[str, str] = {}
        prov: dict[str, list[str]] = {}
        cache: dict = {}
        if file_format(src) == "ok":
            env = StudentGlobals(self.student, cache)
        else:
            env = StudentGlobals(self.student, cache)
            self._prefetch(sorted(graded_names(src)), env, problems, prov)
        tf.run(env)
        cases = []
        for tcr in tf.test_case_results:
            tc = tcr.test_case
            params = _case_params(tc) if file_format(src) == "python" else []
            passed, message = bool(tcr.passed), tcr.message or ""
            missing = [problems[p] for p in params if p in problems]
            if not passed and missing:
                message += "\n" + "\n".join(missing)
            bad = [p for p in params if p in prov]
            if bad:
                if passed:
                    passed = False
                    message = "❌ Test case failed"
                for p in bad:
                    message += (f"\n{p} does not look like the output of a real sampler run, so it "
                                "cannot earn points: " + "; ".join(prov[p]))
            fname = getattr(getattr(tc.body, "test_func", None), "__name__", "") if file_format(src) == "python" else ""
            cases.append({
                "name": fname if fname and fname != "<lambda>" else tc.name, "hidden": bool(tc.hidden),
                "points": float(tc.points or 0), "passed": passed, "message": message,
                "failure_message": tc.failure_message, "success_message": tc.success_message, "params": params,
            })
        possible = float(tf.possible)
        if tf.all_or_nothing:
            score = possible if all(c["passed"] for c in cases) else 0.0
        else:
            score = float(sum(c["points"] for c in cases if c["passed"]))
        return {"score": score, "possible": possible, "cases": cases, "at": at, "provenance": prov,
                "problems": problems}

    def _prefetch(self, names: list[str], env: StudentGlobals, problems: dict, prov: dict) -> None:
        """Copy the globals python-format tests take as parameters (the fast path for data)."""
        if not names:
            return
        try:
            reply = self.student.request("export", names=names)
        except StudentError as exc:
            for n in names:
                problems[n] = f"{n} could not be read from the notebook: {exc}"
            return
        values = reply.get("values") if isinstance(reply.get("values"), dict) else {}
        for n in names:
            tree = values.get(n, {"$missing": True})
            if isinstance(tree, dict) and tree.get("$missing"):
                problems[n] = f"{n} was not defined when this question was graded"
                env._cache[n] = MISSING
                continue
            if isinstance(tree, dict) and "$error" in tree:
                problems[n] = str(tree["$error"])[:500]
                env._cache[n] = MISSING
                continue
            try:
                if isinstance(tree, dict) and tree.get("$") == "model":
                    value = wire.decode(tree.get("v"), reply["_blobs"])
                else:
                    value = self.student.decode(tree, reply["_blobs"])
            except Exception as exc:
                problems[n] = f"{n} could not be read back: {type(exc).__name__}: {exc}"[:500]
                env._cache[n] = MISSING
                continue
            if value is Ellipsis:
                problems[n] = f"{n} is still `...`: this question was not answered"
            env[n] = value
            if isinstance(tree, dict) and tree.get("$") == "tree":
                self._fingerprint(n, value)
            if self.provenance and isinstance(tree, dict) and tree.get("$") == "tree":
                from teachkit.checks.provenance import check_posterior, is_posterior_data

                if is_posterior_data(value):
                    found = check_posterior(value)
                    if found:
                        prov[n] = found


def run_offline(tests: dict[str, str], namespace: dict, *, provenance: bool = True) -> dict:
    """Examine ``namespace`` (a dict of globals) in this process through a real socket pair and
    the notebook-side server in a thread: the same code path as grading, for tests and tools."""
    import threading

    from teachkit.grading.answers import Server

    a, b = socket.socketpair()
    server = Server(b, namespace, timers=False)
    t = threading.Thread(target=server.finish, args=({"cell_errors": [], "interrupted": None},), daemon=True)
    t.start()
    try:
        return Examiner(tests, Student(a), provenance=provenance).run()
    finally:
        t.join(10)
        a.close()
        b.close()


def prepare_examiner(tests: dict[str, str], work: str | os.PathLike, *, socket_fd: int, control_fd: int,
                     sandbox=None, timeout: float, memory_mb: float | None, budget: float,
                     request_timeout: float = REQUEST_TIMEOUT, cancel=None, provenance: bool = True):
    """Set up the examiner's process in ``work`` (not started): the tests travel in its job
    file, the socket and the control pipe are inherited. In bubblewrap it sees the read-only
    installation and its own folder only, no network, as uid 65534."""
    from teachkit.grading import sandbox as sb
    from teachkit.grading.limits import LimitedProcess

    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    bwrap = sandbox is not None and getattr(sandbox, "kind", None) == "bwrap"
    inside = Path(sb.INSIDE) if bwrap else work
    job = {"tests": tests, "socket_fd": socket_fd, "control_fd": control_fd, "result": str(inside / "result.json"),
           "budget": budget, "request_timeout": request_timeout, "provenance": provenance}
    (work / "job.json").write_text(json.dumps(job))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | {"MPLBACKEND": "Agg"}
    cmd = [sys.executable, "-I", "-m", EXAMINER_MODULE, str(inside / "job.json")]
    if bwrap:
        caches, cache_env = sb.private_caches(work.parent / f"{work.name}-caches",
                                              compile_cache=sb.compiles(*tests.values()))
        sb.give_to_sandbox(work)
        sb.give_to_sandbox(work.parent / f"{work.name}-caches")
        cmd = sb.bwrap_command(cmd, sb.process_mounts(work, caches), cwd=str(inside))
        env = sb.inside_env(env, cache_env)
    return LimitedProcess(cmd, cwd=work, env=env, timeout=timeout, memory_mb=memory_mb, grace=5.0, cancel=cancel,
                          interrupt=EXAMINER_MODULE if bwrap else None, pass_fds=(socket_fd, control_fd))


def main(job_path: str) -> int:
    """Entry point of the examiner's process."""
    from teachkit.grading.limits import skip_slow_imports

    skip_slow_imports()
    job = json.loads(Path(job_path).read_text())
    sock = socket.socket(fileno=int(job["socket_fd"]))
    ctl = os.fdopen(int(job["control_fd"]), "w", buffering=1) if job.get("control_fd") is not None else None

    def control(message: dict) -> None:
        if ctl is not None:
            try:
                ctl.write(json.dumps(message) + "\n")
            except OSError:
                pass

    student = Student(sock, request_timeout=float(job.get("request_timeout", REQUEST_TIMEOUT)),
                      on_hang=lambda why: control({"kill": why}))
    examiner = Examiner(job["tests"], student, provenance=job.get("provenance", True),
                        budget=float(job.get("budget", 600)), control=control)
    # Import what the tests will need while the notebook is still running its cells.
    import otter.test_files  # noqa: F401

    try:
        result = examiner.run()
    except Exception as exc:  # a broken test file: the instructor's error, not the student's
        result = {"questions": examiner.results, "finished": False, "gone": student.gone,
                  "grader_error": f"{type(exc).__name__}: {exc}"[:1000], "grader_errors": examiner.grader_errors}
    Path(job["result"]).write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
