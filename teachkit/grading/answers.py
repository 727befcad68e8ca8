"""The notebook's side of the examination: answer the examiner's requests about live objects.

The notebook's process (:mod:`teachkit.grading.sandboxed_run`) holds the student's objects; the tests
and their expected outputs stay in the examiner's process. At every ``grader.check(...)`` (and
after the last cell) the notebook's process pauses and :class:`Server` answers requests until
the examiner says ``resume``:

=============  ==================================================================================
request        answer
=============  ==================================================================================
``export``     the named globals: ArviZ data and arrays as data, a ``pymc.Model`` as
               :func:`teachkit.checks.describe_model`, anything else as data or a handle
``resolve``    one global (data, a handle or a module name), or "missing"
``names``      the names of the notebook's globals
``getattr``    ``getattr(obj, name)``; ``setattr``/``delattr`` likewise
``call``       ``obj(*args, **kwargs)`` with data or references to earlier handles as arguments
``apply``      one function of a fixed list (``len``, ``repr``, ``next``, ``iter``, operators,
               ``isinstance``, ...) on such arguments
=============  ==================================================================================

Each request runs under its own time limit (``SIGALRM``); what it prints is returned with the
answer; an exception is returned as its type's name, arguments and message. The answer is plain
data (:mod:`teachkit.grading.wire`) or a *handle*: an id in :class:`Handles` with the type's name
and the special methods it supports. Nothing of the tests is ever sent here, only the
operations they perform on the student's objects and the arguments they pass.
"""

from __future__ import annotations

import contextlib
import io
import operator
import signal
import sys
from typing import Any

from teachkit.grading import wire

#: Special methods a proxy forwards when the object's type has them.
OPTIONAL_DUNDERS = (
    "__call__", "__len__", "__iter__", "__next__", "__reversed__", "__getitem__", "__setitem__",
    "__delitem__", "__contains__", "__bool__", "__index__", "__int__", "__float__", "__complex__",
    "__round__", "__enter__", "__exit__", "__neg__", "__pos__", "__abs__", "__invert__",
    "__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__", "__pow__", "__matmul__",
    "__and__", "__or__", "__xor__", "__lshift__", "__rshift__", "__divmod__",
    "__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__rfloordiv__", "__rmod__", "__rpow__",
    "__rmatmul__", "__rand__", "__ror__", "__rxor__", "__rlshift__", "__rrshift__", "__rdivmod__",
    "__iadd__", "__isub__", "__imul__", "__itruediv__", "__ifloordiv__", "__imod__", "__ipow__",
    "__imatmul__", "__iand__", "__ior__", "__ixor__", "__ilshift__", "__irshift__",
    "__array__", "__instancecheck__", "__subclasscheck__",
)

MAX_OUTPUT = 200_000
"""Characters of printed output returned with one answer."""


def _enter(obj):
    return obj.__enter__()


def _exit(obj, *args):
    return obj.__exit__(*args)


def _asarray(obj):
    import numpy as np

    return np.asarray(obj)


#: What ``apply`` may call, by name.
FUNCTIONS = {
    **{name: getattr(operator, name) for name in (
        "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and_", "or_", "xor",
        "lshift", "rshift", "neg", "pos", "abs", "invert", "index", "eq", "ne", "lt", "le", "gt", "ge",
        "contains", "getitem", "setitem", "delitem", "iadd", "isub", "imul", "itruediv", "ifloordiv",
        "imod", "ipow", "imatmul", "iand", "ior", "ixor", "ilshift", "irshift", "truth")},
    "len": len, "repr": repr, "str": str, "hash": hash, "iter": iter, "next": next, "bool": bool,
    "int": int, "float": float, "complex": complex, "round": round, "format": format, "divmod": divmod,
    "reversed": reversed, "dir": dir, "isinstance": isinstance, "issubclass": issubclass, "callable": callable,
    "enter": _enter, "exit": _exit, "asarray": _asarray,
}


def special_methods(t: type) -> list[str]:
    """The optional special methods instances of ``t`` have (looked up on the type's MRO, as
    Python does, not on its metaclass)."""
    found = []
    for name in OPTIONAL_DUNDERS:
        for c in t.__mro__:
            if name in vars(c):
                if vars(c)[name] is not None:
                    found.append(name)
                break
    return found


class RequestTimeout(BaseException):
    """Raised in student code that runs past its request's time limit."""


class Handles:
    """The objects the examiner holds handles to (kept alive, one id per object)."""

    def __init__(self):
        self.objects: dict[int, Any] = {}
        self._ids: dict[int, int] = {}

    def add(self, obj: Any) -> dict:
        """Register ``obj`` and return its wire description."""
        key = id(obj)
        hid = self._ids.get(key)
        if hid is None or self.objects.get(hid) is not obj:
            hid = len(self.objects) + 1
            self.objects[hid] = obj
            self._ids[key] = hid
        t = type(obj)
        return {"$": "h", "id": hid, "type": wire.type_info(t), "dunders": special_methods(t),
                "isclass": isinstance(obj, type)}

    def get(self, hid: int) -> Any:
        try:
            return self.objects[int(hid)]
        except (KeyError, TypeError, ValueError):
            raise wire.WireError(f"no handle {hid!r}") from None


def exception_info(exc: BaseException) -> dict:
    """An exception as data: type name, built-in bases, arguments (if data), message."""
    t = type(exc)
    import builtins

    bases = [c.__name__ for c in t.__mro__ if getattr(builtins, c.__name__, None) is c
             and issubclass(c, BaseException)]
    try:
        enc = wire.Encoder()
        args = enc.encode(tuple(exc.args))
        blobs = enc.blobs
        if blobs:
            args = None
    except Exception:
        args = None
    try:
        message = str(exc)[:5000]
    except BaseException:
        message = "(its message could not be read)"
    info = {"type": wire.type_info(t), "bases": bases, "args": args, "str": message}
    if isinstance(exc, StopIteration):
        try:
            enc = wire.Encoder()
            info["value"] = enc.encode(exc.value)
            if enc.blobs:
                info.pop("value")
        except Exception:
            pass
    return info


class Server:
    """Answer the examiner on ``sock`` about the objects in ``namespace``.

    Parameters
    ----------
    sock : socket.socket
        The notebook's end of the socket pair.
    namespace : dict
        The notebook's globals (IPython's ``user_ns``).
    timers : bool
        Enforce each request's time limit with ``SIGALRM`` (main thread only).
    """

    def __init__(self, sock, namespace: dict, *, timers: bool = True):
        self.sock = sock
        self.ns = namespace
        self.handles = Handles()
        self.timers = timers
        self.broken = False

    # -- events the notebook sends --------------------------------------------------------------

    def checkpoint(self, questions: list[str] | None, cell: int | None = None) -> None:
        """``grader.check``: let the examiner grade ``questions`` (None: all) on the state now."""
        self._event({"op": "checkpoint", "questions": questions, "cell": cell})

    def finish(self, info: dict) -> None:
        """After the last cell: let the examiner grade what was not checked yet, then return."""
        self._event({"op": "finished", **info})

    def _event(self, header: dict) -> None:
        if self.broken:
            return
        # The notebook's time limit (SIGINT) waits until the examiner lets the notebook go on:
        # it must not cut a frame in half. It then interrupts the cell that called grader.check.
        blocked = self.timers and hasattr(signal, "pthread_sigmask")
        if blocked:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            wire.send_frame(self.sock, header)
            self.serve()
        except (OSError, EOFError, wire.WireError):
            self.broken = True
        finally:
            if blocked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    # -- serving --------------------------------------------------------------------------------

    def serve(self) -> None:
        """Answer requests until the examiner sends ``resume`` or ``exit`` (or hangs up)."""
        while True:
            header, blobs = wire.recv_frame(self.sock)
            op = header.get("op")
            if op in ("resume", "exit"):
                return
            reply, out_blobs = self.answer(header, blobs)
            wire.send_frame(self.sock, reply, out_blobs)

    def _encoder(self) -> wire.Encoder:
        return wire.Encoder(handle=self.handles.add, module_handle=True)

    def _decode(self, tree, blobs):
        import importlib

        return wire.decode(tree, blobs, ref=self.handles.get, module=importlib.import_module)

    def answer(self, req: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        """The reply to one request (``{"id", "value"|"raise"|"missing", "stdout"}``)."""
        rid = req.get("id")
        op = req.get("op")
        limit = float(req.get("timeout") or 30)
        out = io.StringIO()
        enc = self._encoder()
        reply: dict[str, Any] = {"id": rid}
        try:
            with self._limit(limit), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                if op == "export":
                    reply["values"] = {str(n): self._export(str(n), enc) for n in req.get("names", [])[:10_000]}
                elif op == "resolve":
                    name = str(req.get("name"))
                    if name in self.ns:
                        reply["value"] = enc.encode(self.ns[name])
                    else:
                        reply["missing"] = True
                elif op == "names":
                    reply["value"] = [str(k) for k in list(self.ns) if isinstance(k, str) and not k.startswith("_")]
                else:
                    reply["value"] = enc.encode(self._operate(op, req, blobs))
        except wire.WireError as exc:
            reply = {"id": rid, "raise": exception_info(TypeError(f"grading protocol: {exc}"))}
        except BaseException as exc:  # the student's code raised (or ran out of time): report it
            reply = {"id": rid, "raise": exception_info(exc)}
            enc = wire.Encoder()
        text = out.getvalue()
        if text:
            reply["stdout"] = text[:MAX_OUTPUT]
        return reply, enc.blobs

    def _operate(self, op, req, blobs):
        if op == "getattr":
            return getattr(self.handles.get(req.get("target")), str(req.get("name")))
        if op == "setattr":
            setattr(self.handles.get(req.get("target")), str(req.get("name")), self._decode(req.get("value"), blobs))
            return None
        if op == "delattr":
            delattr(self.handles.get(req.get("target")), str(req.get("name")))
            return None
        if op == "call":
            fn = self.handles.get(req.get("target"))
            args = self._decode(req.get("args", []), blobs)
            kwargs = {str(k): v for k, v in self._decode({"$": "dict", "v": req.get("kwargs", [])}, blobs).items()}
            return fn(*args, **kwargs)
        if op == "apply":
            fn = FUNCTIONS.get(str(req.get("fn")))
            if fn is None:
                raise wire.WireError(f"unknown function {req.get('fn')!r}")
            return fn(*self._decode(req.get("args", []), blobs))
        raise wire.WireError(f"unknown request {op!r}")

    def _export(self, name: str, enc: wire.Encoder):
        """One global for a python-format test parameter: data where possible (the fast path)."""
        if name not in self.ns:
            return {"$missing": True}
        value = self.ns[name]
        try:
            if any(c.__name__ == "Model" and (c.__module__ or "").startswith("pymc") for c in type(value).__mro__):
                from teachkit.checks import describe_model

                desc = wire.Encoder().encode(describe_model(value))
                return {"$": "model", "v": desc}
            return enc.encode(value)
        except Exception as exc:
            return {"$error": f"{name} could not be sent for grading: {type(exc).__name__}: {exc}"[:500]}

    @contextlib.contextmanager
    def _limit(self, seconds: float):
        if not self.timers:
            yield
            return

        def ring(signum, frame):
            raise RequestTimeout(f"this call did not finish within its {seconds:g} s time limit")

        old = signal.signal(signal.SIGALRM, ring)
        signal.setitimer(signal.ITIMER_REAL, max(0.01, seconds))
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old if old is not None else signal.SIG_DFL)


def serve_forever(sock, namespace: dict, *, timers: bool = False) -> Server:
    """Serve ``namespace`` until the examiner sends ``exit`` (for tests and tools)."""
    server = Server(sock, namespace, timers=timers)
    server.finish({"cell_errors": [], "interrupted": None})
    return server


__all__ = [
    "FUNCTIONS",
    "OPTIONAL_DUNDERS",
    "Handles",
    "RequestTimeout",
    "Server",
    "exception_info",
    "serve_forever",
]

if __name__ == "__main__":  # pragma: no cover
    sys.exit("teachkit.grading.answers is imported by the notebook's process, not run")
