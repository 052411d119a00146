"""The per-file settings the analysis reads (from the file's configuration)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence, Tuple


@dataclass(frozen=True)
class AnalysisSettings:
    provider: str = "auto"
    client_factories: Tuple[str, ...] = ()
    retry_decorators: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()

    @property
    def retry_decorator_map(self) -> Mapping[str, Sequence[str]]:
        return dict(self.retry_decorators)

    @property
    def factory_names(self) -> Tuple[str, ...]:
        """How the configured factories are called in code: their last names."""
        return tuple(name.rsplit(".", 1)[-1] for name in self.client_factories)
