"""Small sources that together hold every kind of node LibCST has, and dslint's own files: for
the tests that check a faster way of doing what LibCST does (positions, traversal) gives the same
result."""

from pathlib import Path

import libcst as cst
import pytest

REPO = Path(__file__).resolve().parent.parent
REPO_FILES = sorted(str(path.relative_to(REPO)) for path in (REPO / "dslint").rglob("*.py"))


def parse_or_skip(source) -> cst.Module:
    """`source` parsed; the test is skipped when the installed LibCST does not know its syntax."""
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError:
        pytest.skip("this LibCST version does not parse this syntax")


SOURCES = {
    "empty": "",
    "only_newline": "\n",
    "only_comments": "# one\n# two\n",
    "only_comment_no_newline": "# just a comment",
    "blank_lines": "\n\n\nx = 1\n\n\n\ny = 2\n\n",
    "no_trailing_newline": "import os\nx = os.path.join('a', 'b')",
    "decorators": (
        "import functools\n\n"
        "@functools.lru_cache(maxsize=None)\n"
        "@staticmethod\n"
        "# comment between decorators\n"
        "@ property\n"
        "def f(a, /, b: int = 1, *args, c, d=2, **kwargs) -> int:\n"
        '    """Docstring."""\n'
        "    return a  # trailing\n"
    ),
    "nested": (
        "class A(Base, metaclass=Meta):\n"
        "    x: int = 1\n"
        "\n"
        "    class B:\n"
        "        def g(self):\n"
        "            def h():\n"
        "                nonlocal_value = 1\n"
        "                return nonlocal_value\n"
        "            return h\n"
        "\n"
        "    async def c(self):\n"
        "        async with self.lock as held, other() as (a, b):\n"
        "            async for item in self.items():\n"
        "                await item\n"
        "        return [i async for i in self.gen()]\n"
    ),
    "multiline_call": (
        "result = client.chat.completions.create(  # why\n"
        "    model='gpt-4',  # the model\n"
        "    # a comment on its own line\n"
        "\n"
        "    messages=[\n"
        "        {'role': 'user', 'content': text},  # inside a list\n"
        "    ],\n"
        "    **extra,\n"
        ")\n"
        "value = (\n"
        "    first\n"
        "    + second\n"
        ")[0].attr\n"
    ),
    "backslash": (
        "total = 1 + \\\n"
        "    2 + \\\n"
        "        3\n"
        "if a and \\\n"
        "   b:\n"
        "    pass\n"
        "assert x, \\\n"
        "    'message'\n"
    ),
    "strings": (
        "s = 'a' 'b' \"c\"\n"
        "t = ('implicit '\n"
        "     'concatenation')\n"
        "u = '''triple\n"
        "quoted\n"
        "'''\n"
        'v = r"raw\\n" "str" + rb"x" b"bytes"\n'
        "w = f'{name!r:>{width}} and {value = }' f\"{a['k']}\"\n"
        "y = f'''multi\n"
        "{line}\n"
        "'''\n"
    ),
    "lambdas_comprehensions": (
        "f = lambda x, *y, z=1, **k: (x, y)\n"
        "g = lambda: None\n"
        "squares = [x * x for x in range(10) if x % 2 if x > 2]\n"
        "pairs = {k: v for k, v in items}\n"
        "uniq = {x for x in xs}\n"
        "gen = (x for x in xs)\n"
        "z = a if b else c\n"
        "n = -x ** 2 // 3 @ m\n"
        "ok = not a or b and c < d <= e is not f in g\n"
        "sl = seq[1:2, ::3, ...]\n"
        "star, *rest = [*a, *b]\n"
        "if (walrus := compute()) is not None:\n"
        "    print(walrus)\n"
    ),
    "with_items": (
        "with open(p) as f, lock:\n"
        "    pass\n"
        "with (\n"
        "    open(a) as fa,  # first\n"
        "    open(b) as fb,\n"
        "):\n"
        "    data = fa.read() + fb.read()\n"
    ),
    "try_statements": (
        "try:\n"
        "    risky()\n"
        "except (ValueError, TypeError) as error:  # handled\n"
        "    raise RuntimeError('x') from error\n"
        "except Exception:\n"
        "    pass\n"
        "else:\n"
        "    done()\n"
        "finally:\n"
        "    cleanup()\n"
        "try:\n"
        "    pass\n"
        "except* OSError:\n"
        "    pass\n"
    ),
    "loops": (
        "for i, (a, b) in enumerate(pairs):  # loop header\n"
        "    if i:\n"
        "        continue\n"
        "    elif a:\n"
        "        break\n"
        "    else:\n"
        "        del a[0], b\n"
        "else:\n"
        "    pass\n"
        "while True:\n"
        "    global counter\n"
        "    counter += 1\n"
        "    if counter > 3: break\n"
    ),
    "match": (
        "match command.split():\n"
        "    case [action]:\n"
        "        pass\n"
        "    case ['go', direction] | ['move', direction] if direction:\n"
        "        pass\n"
        "    case Point(x=0, y=yy) as p:\n"
        "        pass\n"
        "    case {'k': v, **others}:\n"
        "        pass\n"
        "    case [1, 2, *_] | None | 'a' | -1 | 1 + 2j:\n"
        "        pass\n"
        "    case _:\n"
        "        pass\n"
    ),
    "semicolons": "import os; import sys as system;x = 1 ;  y = 2\nif x: a = 1; b = 2\n",
    "imports": (
        "from . import a\n"
        "from ..pkg.mod import (b as c,\n"
        "    d,  # comment\n"
        ")\n"
        "from __future__ import annotations\n"
        "import os.path as osp, sys\n"
        "from x import *\n"
    ),
    "crlf": (
        "import os\r\n\r\ndef f(a,\r\n      b):\r\n    # c\r\n    return (a +\r\n            b)\r\n"
    ),
    "crlf_no_trailing_newline": "x = 1\r\ny = [\r\n  2,\r\n]",
    "cr_only": "x = 1\ry = (2,\r     3)\r",
    # Mixed newlines: rejected by the parser of LibCST 1.0, accepted by 1.9.
    "mixed_newlines": "a = 1\r\nb = 2\nc = 3\rd = '''x\r\ny\nz'''\n",
    "mixed_newlines_in_brackets": "a = 1\r\n\r\n\nb = (1,\r 2)\n",
    "tabs": "if x:\n\tif y:\n\t\tz = [1,\t2]  \t# tab\n\telse:\n\t\tpass\n",
    "non_ascii": (
        "# -*- coding: utf-8 -*-\n"
        "résumé = 'naïve café 😀'\n"
        "def 函数(参数='値'):\n"
        "    return f'{参数} ✓' + \"日本語\"  # コメント\n"
        "x = résumé; y = '😀😀'; z = 1\n"
    ),
    "annotations_and_returns": (
        "x: 'List[int]'\n"
        "y: dict[str, int] = {}\n"
        "def f() -> None: return\n"
        "async def g(): yield\n"
        "def h(): yield from g()\n"
        "print(*args, sep='', **kw)\n"
        "raise\n"
    ),
    "type_alias": "type Alias[T] = list[T]\n",  # LibCST >= 1.1
}
