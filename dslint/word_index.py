"""Which files of a run mention which identifiers: the caller search's lookups.

Each round of the search for callers (`dslint.engine._CallerSearch`) asks every file not analysed
yet which of the round's words it mentions. Re-reading and tokenising all of them each round cost
a second and a half of wall time per round on a 9,000-file corpus (four rounds); screening reads
every file anyway, so it hands over each file's identifiers once and the rounds become lookups.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, List, Set

from dslint.file_jobs import Mentions


class WordIndex:
    def __init__(self) -> None:
        self._files_naming: Dict[str, List[int]] = {}
        self._bases: Dict[int, FrozenSet[str]] = {}
        self._indexed: Set[int] = set()

    def add(self, file: int, identifiers: str, class_bases: FrozenSet[str]) -> None:
        """`identifiers`: the file's identifiers, space-separated, each once."""
        self._indexed.add(file)
        files_naming = self._files_naming
        for word in identifiers.split():
            files = files_naming.get(word)
            if files is None:
                files_naming[word] = [file]
            else:
                files.append(file)
        if class_bases:
            self._bases[file] = class_bases

    def __contains__(self, file: int) -> bool:
        return file in self._indexed

    def mentions(self, files: Iterable[int], words: FrozenSet[str]) -> Dict[int, Mentions]:
        """What each of `files` (all indexed) mentions of `words`, as `file_jobs.words_in` finds."""
        asked = set(files)
        found: Dict[int, Set[str]] = {file: set() for file in asked}
        for word in words:
            for file in self._files_naming.get(word, ()):
                if file in asked:
                    found[file].add(word)
        return {file: Mentions(frozenset(mentioned), frozenset(mentioned) & self._bases.get(file, frozenset()))
                if mentioned else Mentions() for file, mentioned in found.items()}
