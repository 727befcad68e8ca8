"""``python -m teachkit`` is the ``teachkit`` command."""

from teachkit.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
