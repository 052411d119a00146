"""Clients built at module level, across the linted files.

`from app.clients import deepseek` in one file uses a client another file builds; its provider
and `max_retries` decide the codes of every call on it. A look at each module's CPython `ast` (made
for the screen, `dslint.prefilter`) finds these clients before the LibCST pass, so each file's
analysis can resolve imported clients.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Dict, Optional

from dslint import knowledge


@dataclass(frozen=True)
class ModuleClient:
    constructor: str          # the qualified name of the client class
    provider: Optional[str]
    max_retries: Optional[int]


def module_clients_in(module_name: str, tree: ast.Module) -> Dict[str, ModuleClient]:
    """{"app.clients.deepseek": ModuleClient(...)}: the clients built at the top level of one module."""
    found: Dict[str, ModuleClient] = {}
    imports = None
    for statement in tree.body:
        if not (isinstance(statement, (ast.Assign, ast.AnnAssign)) and isinstance(statement.value, ast.Call)):
            continue
        imports = _imported_names(tree) if imports is None else imports
        client = _client(statement.value, imports)
        if client is None:
            continue
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        for target in targets:
            if isinstance(target, ast.Name):
                found[f"{module_name}.{target.id}"] = client
    return found


def _imported_names(tree: ast.Module) -> Dict[str, str]:
    names: Dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            for alias in statement.names:
                names[alias.asname or alias.name] = f"{statement.module}.{alias.name}"
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                names[alias.asname or alias.name] = alias.name
    return names


def _dotted(node: ast.expr, imports: Dict[str, str]) -> Optional[str]:
    if isinstance(node, ast.Name):
        return imports.get(node.id)
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value, imports)
        return None if head is None else f"{head}.{node.attr}"
    return None


def _client(call: ast.Call, imports: Dict[str, str]) -> Optional[ModuleClient]:
    constructor = _dotted(call.func, imports)
    if constructor not in knowledge.CLIENT_CONSTRUCTORS:
        return None
    provider = None
    for node in ast.walk(call):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            provider = knowledge.provider_from_text(node.value)
            if provider:
                break
    max_retries = None
    for keyword in call.keywords:
        if keyword.arg == "max_retries" and isinstance(keyword.value, ast.Constant) \
                and isinstance(keyword.value.value, int) and not isinstance(keyword.value.value, bool):
            max_retries = keyword.value.value
    return ModuleClient(constructor, provider, max_retries)
