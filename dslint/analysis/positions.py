"""A cheap drop-in for LibCST's `PositionProvider`, computing a node's range only when asked.

`PositionProvider` tracks line and column while generating the code: a regex split of every
token and a `CodeRange` of two `CodePosition`s built and stored for every node. Measured on
212 real files it cost 11.6 s of CPU where plain code generation (`module.code`) cost 1.9 s,
and we need positions for only a handful of nodes per file (the ones reported or edited).

`lazy_positions` runs the same code generation but records, per node, only token
*indexes*, with the same rules as LibCST (syntactic ranges from `record_syntactic_position`
win over the whitespace-inclusive range of `after_codegen`). A range is turned into lines and
columns when looked up, from cumulative token lengths and line starts. tests/test_positions.py
checks that every node gets exactly the range `PositionProvider` gives it.

`StatementPositions` goes further: it generates the code of the smallest statement around the node
whose code occurs exactly once in the module's text at the start of a line (the node's own
statement, or one around it), and counts lines from where that code starts. Generating a statement
alone, with the indentation of the blocks around it, gives exactly the tokens the whole module's
generation gives it (LibCST round-trips), so the ranges are the same; where no statement's code
is unique (a file without a final line break, a module-level statement repeated in a docstring)
it falls back to `lazy_positions`. On the benchmark corpus, generating whole modules had been a
tenth of the analysis; a statement is a few hundred bytes.
"""

from __future__ import annotations

from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Callable, Dict, Iterator, List, Mapping, Optional, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange
from libcst.metadata.position_provider import NEWLINE_RE


@dataclass
class _TokenIndexState(CodegenState):
    """Code generation that records the token index span of every node instead of positions."""

    # id(node) -> (first token, token after the last, node); ids hash in C, CSTNode.__hash__ is
    # Python code. The node in the value keeps the id valid and serves iteration.
    spans: Dict[int, Tuple[int, int, cst.CSTNode]] = field(default_factory=dict)
    _starts: List[int] = field(default_factory=list)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        # Like WhitespaceInclusivePositionProvidingCodegenState: keep a syntactic range.
        self.spans.setdefault(id(node), (self._starts.pop(), len(self.tokens), node))

    def pop_trailing_newline(self) -> None:
        # PositionProvider's line and column still count the popped newline (it only drops the
        # token from the text), so keep the token for the offsets.
        pass

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: Optional[cst.CSTNode] = None,
        end_node: Optional[cst.CSTNode] = None,
    ) -> Iterator[None]:
        # Like PositionProvidingCodegenState.record_syntactic_position.
        start = len(self.tokens)
        try:
            yield
        finally:
            end = len(self.tokens)
            spans = self.spans
            if start_node is not None:
                start = spans[id(start_node)][0]
            if end_node is not None:
                end = spans[id(end_node)][1]
            spans[id(node)] = (start, end, node)


class LazyRanges(Mapping[cst.CSTNode, CodeRange]):
    """Node -> CodeRange, computed from the recorded token spans on lookup."""

    def __init__(self, tokens: List[str], spans: Dict[int, Tuple[int, int, cst.CSTNode]], first_line: int = 1):
        self._tokens = tokens
        self._spans = spans
        self._first_line = first_line  # the line of the text on which the first token starts
        self._offsets: Optional[List[int]] = None  # character offset where each token starts
        self._line_starts: List[int] = []

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        start, end, recorded = self._spans[id(node)]
        if recorded is not node:
            raise KeyError(node)
        return CodeRange(self._position(start), self._position(end))

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return (node for _, _, node in self._spans.values())

    def __len__(self) -> int:
        return len(self._spans)

    def _position(self, token_index: int) -> CodePosition:
        if self._offsets is None:
            self._offsets = [0, *accumulate(map(len, self._tokens))]
            # Newlines as PositionProvider counts them (`\r\n`, `\r`, `\n`). It counts per token,
            # but no token boundary falls inside a `\r\n`: the parser reads it as one newline.
            text = "".join(self._tokens)
            self._line_starts = [0, *(match.end() for match in NEWLINE_RE.finditer(text))]
        offset = self._offsets[token_index]
        line = bisect_right(self._line_starts, offset)
        return CodePosition(line + self._first_line - 1, offset - self._line_starts[line - 1])


def lazy_positions(module: cst.Module) -> LazyRanges:
    """The range of every node of `module`, as `PositionProvider` gives it, computed on lookup.

    Called directly, not as a metadata provider: `MetadataWrapper.resolve` walks the whole tree
    once more for batchable providers, even when there is none (a third of PositionProvider's cost).
    """
    state = _TokenIndexState(
        default_indent=module.default_indent, default_newline=module.default_newline
    )
    module._codegen(state)
    return LazyRanges(state.tokens, state.spans)


class StatementPositions:
    """Node -> CodeRange, as `lazy_positions` gives it, from the code of a statement around the node
    (see the module docstring). `text` is what `module` was parsed from; `parent` gives a node's
    parent (None for the module and for nodes it does not know)."""

    def __init__(self, module: cst.Module, text: str, parent: Callable[[cst.CSTNode], Optional[cst.CSTNode]]):
        self._module = module
        self._text = text
        self._parent = parent
        self._by_statement: Dict[int, Optional[LazyRanges]] = {}
        self._whole: Optional[LazyRanges] = None

    def get(self, node: cst.CSTNode, default: Optional[CodeRange] = None) -> Optional[CodeRange]:
        statement = self._statement_around(node)
        while statement is not None:
            ranges = self._ranges_of(statement)
            if ranges is not None:
                return ranges.get(node, default)
            statement = self._statement_around(self._parent(statement))
        if self._whole is None:
            self._whole = lazy_positions(self._module)
        return self._whole.get(node, default)

    def _statement_around(self, node: Optional[cst.CSTNode]) -> Optional[cst.CSTNode]:
        """`node` or the nearest node above it that is a statement of a module or a block."""
        while node is not None:
            parent = self._parent(node)
            if isinstance(parent, (cst.Module, cst.IndentedBlock)) and isinstance(node, cst.BaseStatement):
                return node
            node = parent
        return None

    def _ranges_of(self, statement: cst.CSTNode) -> Optional[LazyRanges]:
        """The ranges of the nodes of `statement`; None when its code does not occur exactly once
        at the start of a line."""
        key = id(statement)
        if key not in self._by_statement:
            indents = []
            block = self._parent(statement)
            while block is not None:
                if isinstance(block, cst.IndentedBlock):
                    indents.append(self._module.default_indent if block.indent is None else block.indent)
                block = self._parent(block)
            state = _TokenIndexState(default_indent=self._module.default_indent,
                                     default_newline=self._module.default_newline, indent_tokens=indents[::-1])
            statement._codegen(state)
            start = _only_occurrence_at_a_line_start(self._text, "".join(state.tokens))
            self._by_statement[key] = None if start is None else LazyRanges(
                state.tokens, state.spans, first_line=_line_breaks_before(self._text, start) + 1)
        return self._by_statement[key]


def _only_occurrence_at_a_line_start(text: str, code: str) -> Optional[int]:
    found = None
    at = text.find(code)
    while at != -1:
        if at == 0 or text[at - 1] == "\n" or (text[at - 1] == "\r" and text[at] != "\n"):
            if found is not None:
                return None
            found = at
        at = text.find(code, at + 1)
    return found


def _line_breaks_before(text: str, offset: int) -> int:
    """Line breaks as PositionProvider counts them: `\\r\\n`, `\\r` and `\\n`, each one."""
    return text.count("\n", 0, offset) + text.count("\r", 0, offset) - text.count("\r\n", 0, offset)
