import os
import sys

# `python -m dslint` puts the working folder first on sys.path, so in a tree being linted a module
# there named like one of dslint's dependencies (click.py, libcst/) would be imported, and run, in
# their place. dslint itself is imported by now; nothing else may come from there.
if sys.path and sys.path[0] and not getattr(sys.flags, "safe_path", False):
    if os.path.abspath(sys.path[0]) == os.path.abspath(os.getcwd()):
        del sys.path[0]

from dslint.cli import main  # noqa: E402

if __name__ == "__main__":
    main(prog_name="dslint")
