"""The verdict of every check: :class:`CheckResult`, and :func:`combine` for several."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CheckResult", "combine"]

# --------------------------------------------------------------------------------------------
# the result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check.

    Parameters
    ----------
    passed : bool
        Whether the check passed.
    message : str
        A sentence for the student: what was checked, what failed and by how much.
    details : dict
        The numbers behind the verdict (per-parameter values, thresholds).

    Examples
    --------
    >>> r = CheckResult(False, "2 of 4000 draws diverged.", {"n_divergent": 2})
    >>> bool(r)
    False
    >>> r.assert_()
    Traceback (most recent call last):
    ...
    AssertionError: 2 of 4000 draws diverged.
    >>> print(CheckResult(True, "all good"))
    PASS: all good
    """

    passed: bool
    message: str
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "passed", bool(self.passed))

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}: {self.message}"

    def assert_(self) -> CheckResult:
        """Raise ``AssertionError(message)`` unless the check passed; return ``self`` otherwise."""
        if not self.passed:
            raise AssertionError(self.message)
        return self


def combine(*results: CheckResult) -> CheckResult:
    """Join several checks into one that passes only if all of them pass.

    The message lists the failures' messages (or, when everything passed, all messages).

    Examples
    --------
    >>> r = combine(CheckResult(True, "a passed."), CheckResult(False, "b failed."))
    >>> r.passed, r.message
    (False, 'b failed.')
    """
    if not results:
        raise ValueError("combine() needs at least one CheckResult; got none.")
    for r in results:
        if not isinstance(r, CheckResult):
            raise ValueError(  # noqa: TRY004 - the project raises ValueError for bad arguments
                f"combine() takes CheckResult objects; got {type(r).__name__}."
            )
    failed = [r for r in results if not r.passed]
    shown = failed if failed else list(results)
    return CheckResult(
        not failed,
        " ".join(r.message for r in shown),
        {"results": [{"passed": r.passed, "message": r.message} for r in results]},
    )
