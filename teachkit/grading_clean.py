"""Run an assignment's hidden tests in a clean Python process on a notebook's exported globals.

The clean process is ``python -I -m teachkit.grading_clean JOB``: isolated mode (no
``PYTHONPATH``, no user site, no current folder on ``sys.path``), started in a fresh folder that
holds only the job file; nothing the student wrote is imported. It

1. reads the exports with :func:`teachkit.grading_export.load_exports` (data only);
2. parses each test file's source (passed inside the job, read by the grader before any
   student code ran) with Otter's own ``ExceptionTestFile.from_string`` and runs it with
   ``ExceptionTestFile.run(env)``: Otter passes each global to the test function by parameter
   name, ``None`` when it is missing;
3. runs :func:`teachkit.provenance.check_posterior` on every exported ArviZ object; a failure
   zeroes every test that takes that global and says why;
4. writes the per-question results as JSON.

Examples
--------
>>> graded_names('from otter.test_files import test_case\\n@test_case()\\ndef t(q1_x, env): pass')
{'q1_x'}
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

CLEAN_MODULE = "teachkit.grading_clean"


def graded_names(source: str) -> set[str]:
    """Names of the globals that the test functions of one test file take as parameters.

    ``env`` (Otter's "whole environment" parameter) is left out; see :func:`uses_env`.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            args = node.args
            for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                if a.arg != "env":
                    names.add(a.arg)
    return names


def uses_env(source: str) -> bool:
    """True when a test function takes Otter's ``env`` parameter (the whole global namespace).

    Examples
    --------
    >>> uses_env("@test_case()\\ndef t(env): pass"), uses_env("@test_case()\\ndef t(q1): pass")
    (True, False)
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            if any(a.arg == "env" for a in [*node.args.args, *node.args.kwonlyargs]):
                return True
    return False


def _case_params(test_case) -> list[str]:
    import inspect

    try:
        return [p for p in inspect.signature(test_case.body.test_func).parameters if p != "env"]
    except (TypeError, ValueError):
        return []


def run_tests(tests: dict[str, str], export_dir: str, *, provenance: bool = True) -> dict:
    """Run every test file on the exports in ``export_dir``; return JSON-ready results.

    Parameters
    ----------
    tests : dict
        ``{question name: test file source}`` (Otter python format).
    export_dir : str
        Folder written by :func:`teachkit.grading_export.export_globals`.
    provenance : bool
        Run posterior provenance checks on exported ArviZ data.

    Returns
    -------
    dict
        ``{"questions": {name: {"score", "possible", "cases": [...]}}, "export_problems": {...},
        "provenance": {global: [problems]}}``.
    """
    from otter.test_files.exception_test import ExceptionTestFile

    from teachkit.grading_export import load_exports

    env, problems = load_exports(export_dir)
    prov: dict[str, list[str]] = {}
    if provenance:
        from teachkit.provenance import check_posterior, is_posterior_data

        for name, value in env.items():
            if is_posterior_data(value):
                found = check_posterior(value)
                if found:
                    prov[name] = found
    questions = {}
    for qname in sorted(tests):
        tf = ExceptionTestFile.from_string(tests[qname], path=f"tests/{qname}.py")
        tf.run(dict(env))
        cases = []
        for tcr in tf.test_case_results:
            tc = tcr.test_case
            params = _case_params(tc)
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
            fname = getattr(getattr(tc.body, "test_func", None), "__name__", "")
            cases.append({
                "name": fname if fname and fname != "<lambda>" else tc.name, "hidden": bool(tc.hidden), "points": float(tc.points or 0),
                "passed": passed, "message": message, "failure_message": tc.failure_message,
                "params": params,
            })
        possible = float(tf.possible)
        if tf.all_or_nothing:
            score = possible if all(c["passed"] for c in cases) else 0.0
        else:
            score = float(sum(c["points"] for c in cases if c["passed"]))
        questions[qname] = {"score": score, "possible": possible, "cases": cases}
    return {"questions": questions, "export_problems": problems, "provenance": prov}


def main(job_path: str) -> int:
    """Entry point of the clean process."""
    from teachkit.grading_process import skip_slow_imports

    skip_slow_imports()
    job = json.loads(Path(job_path).read_text())
    result = run_tests(job["tests"], job["export"], provenance=job.get("provenance", True))
    out = Path(job["result"])
    out.write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
