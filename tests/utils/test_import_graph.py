# Copyright (c) seavis_mm contributors. All rights reserved.
"""The package's import graph, read from the sources (imports inside
functions included): ``seavis_mm.utils`` is the bottom layer, so nothing it
imports may lead back to it (it once imported ``seavis_mm.apis``, which
imports ``seavis_mm.utils``)."""
import ast
import os
import os.path as osp
from typing import Dict, List, Set

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PKG = osp.join(ROOT, 'seavis_mm')


def _module_name(path: str) -> str:
    rel = osp.relpath(path, ROOT)[:-len('.py')].split(os.sep)
    if rel[-1] == '__init__':
        rel = rel[:-1]
    return '.'.join(rel)


def import_graph() -> Dict[str, Set[str]]:
    """Module -> the seavis_mm modules it imports anywhere in its body."""
    files = [
        osp.join(d, f) for d, _, fs in os.walk(PKG) for f in fs
        if f.endswith('.py')
    ]
    modules = {_module_name(f): f for f in files}
    graph: Dict[str, Set[str]] = {}
    for name, path in modules.items():
        is_pkg = path.endswith('__init__.py')
        package = name if is_pkg else name.rpartition('.')[0]
        deps: Set[str] = set()
        for node in ast.walk(ast.parse(open(path).read(), path)):
            targets: List[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ''
                if node.level:
                    parts = package.split('.')
                    parts = parts[:len(parts) - node.level + 1]
                    base = '.'.join(parts + ([base] if base else []))
                targets = [base] + [f'{base}.{a.name}' for a in node.names]
            for t in targets:
                # the module itself and every package on its way
                while t:
                    if t in modules and t != name:
                        deps.add(t)
                    t = t.rpartition('.')[0]
        graph[name] = deps
    return graph


def reachable(graph: Dict[str, Set[str]], start: str) -> Set[str]:
    seen, todo = set(), [start]
    while todo:
        for dep in graph.get(todo.pop(), ()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def utils_cycles(graph: Dict[str, Set[str]]) -> List[str]:
    """``utils_module -> outside module -> ... -> utils_module`` paths."""
    found = []
    for name in graph:
        if not name.startswith('seavis_mm.utils'):
            continue
        for mod in reachable(graph, name):
            if mod.startswith('seavis_mm.utils') or mod == 'seavis_mm':
                continue
            if name in reachable(graph, mod):
                found.append(f'{name} -> {mod} -> {name}')
    return found


def test_utils_is_not_in_an_import_cycle():
    graph = import_graph()
    assert 'seavis_mm.utils.setup_env' in graph
    assert utils_cycles(graph) == []


def test_the_checker_finds_the_old_cycle():
    """With the edge the package used to have (setup_env imported apis),
    the checker reports it."""
    graph = import_graph()
    graph['seavis_mm.utils.setup_env'].add('seavis_mm.apis')
    cycles = utils_cycles(graph)
    assert 'seavis_mm.utils.setup_env -> seavis_mm.apis -> ' \
        'seavis_mm.utils.setup_env' in cycles
