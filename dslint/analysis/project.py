"""The project pass: the call graph of the linted files and where escaping codes end up.

SPEC "Escaping codes": what an API call's own handlers let out travels up to the callers of its
function; each call site's enclosing handlers remove what they catch; a code *escapes to the top*
when some chain of call sites lets it reach a function that nothing in the linted files calls.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Set, Tuple

from dslint.analysis.facts import ApiCall, CallSite, FileFacts, Function
from dslint.knowledge import ALL_STATUSES, Code

# (function id, code, wrapped in tenacity.RetryError)
_State = Tuple[str, Code, bool]


class Project:
    def __init__(self, files: Iterable[FileFacts]):
        self.files: List[FileFacts] = list(files)
        self.functions: Dict[str, Function] = {}
        self.bases: Dict[str, Tuple[str, ...]] = {}
        for facts in self.files:
            for function in facts.functions:
                self.functions[function.id] = function
            for class_info in facts.classes:
                self.bases[class_info.id] = class_info.bases
        self.sites_of: Dict[str, List[CallSite]] = defaultdict(list)
        for facts in self.files:
            for site in facts.call_sites:
                callee = self._resolve(site.callees)
                if callee is not None and callee != site.caller:
                    self.sites_of[callee].append(site)
        self._memo: Dict[_State, bool] = {}
        self._derived: Optional[Dict[str, List[str]]] = None  # base -> direct subclasses, built on demand

    def _resolve(self, candidates: Tuple[str, ...]) -> Optional[str]:
        for candidate in candidates:
            found = self._lookup(candidate, depth=0)
            if found is not None:
                return found
        return None

    def _lookup(self, function_id: str, depth: int) -> Optional[str]:
        """A function id as written, or a method inherited from a project base class."""
        if function_id in self.functions:
            return function_id
        class_id, _, method = function_id.rpartition(".")
        if depth > 5 or class_id not in self.bases:
            return None
        for base in self.bases[class_id]:
            found = self._lookup(f"{base}.{method}", depth + 1)
            if found is not None:
                return found
        return None

    def subclasses(self, class_id: str) -> Set[str]:
        """The linted classes that derive from `class_id`, directly or not."""
        if self._derived is None:
            self._derived = defaultdict(list)
            for subclass, bases in self.bases.items():
                for base in bases:
                    self._derived[base].append(subclass)
        found: Set[str] = set()
        stack = [class_id]
        while stack:
            for subclass in self._derived.get(stack.pop(), ()):
                if subclass not in found:
                    found.add(subclass)
                    stack.append(subclass)
        return found

    def functions_escaped_into(self) -> Set[str]:
        """The functions that a status code of some API call reaches uncaught: the call's own
        function, its callers whose call sites let the code through, theirs, and so on. Only
        call sites of these functions can change what escapes to the top."""
        starts = {(self._start(call, code), call.family) for facts in self.files for call in facts.api_calls
                  for code in call.escaping & ALL_STATUSES}
        return {function_id for start, family in starts for function_id, _, _ in self._escape_states(start, family)}

    def escapes_to_top(self, call: ApiCall) -> FrozenSet[Code]:
        """The codes of `call` that some chain of callers lets through to an entry point."""
        return frozenset(code for code in call.escaping if self._reaches_top(self._start(call, code), call.family))

    def _start(self, call: ApiCall, code: Code) -> _State:
        return call.function, code, code in self._wrapped_by(call.function)

    def _wrapped_by(self, function_id: str) -> FrozenSet[Code]:
        function = self.functions.get(function_id)
        return function.wraps_in_retry_error if function else frozenset()

    def _reaches_top(self, start: _State, family: str) -> bool:
        key = start + (family,)
        if key not in self._memo:
            self._memo[key] = any(not self.sites_of.get(function_id)
                                  for function_id, _, _ in self._escape_states(start, family))
        return self._memo[key]

    def _escape_states(self, start: _State, family: str) -> Iterator[_State]:
        """`start` and every state that its code reaches through call sites that do not catch it."""
        seen: Set[_State] = {start}
        stack = [start]
        while stack:
            state = stack.pop()
            yield state
            function_id, code, wrapped = state
            for site in self.sites_of.get(function_id, ()):
                if _site_catches(site, family, code, wrapped):
                    continue
                caller_state = (site.caller, code, wrapped or code in self._wrapped_by(site.caller))
                if caller_state not in seen:
                    seen.add(caller_state)
                    stack.append(caller_state)


def _site_catches(site: CallSite, family: str, code: Code, wrapped: bool) -> bool:
    if wrapped:
        return site.catches_retry_error
    return any(name == family and code in codes for name, codes in site.caught)
