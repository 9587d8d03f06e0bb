"""A pytest plugin (loaded by conftest.py): which local-workspace routes the suite's tests call.

Every request the stand-in answers in this process is matched against its route table and the
route noted; `test_every_stand_in_route_is_called_by_a_test` (moved to the end of the run) then
checks that no route went uncalled. Only a run of the whole suite can say so: a partial run
(some files, -k, -m, --lf) skips that test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from local_workspace.app import LocalWorkspaceApp

CHECK = "test_every_stand_in_route_is_called_by_a_test"
TESTS = Path(__file__).parent

called: dict[tuple[str, str], str] = {}  # (HTTP method, rule) -> the first test that called it
_state = {"test": "", "whole_suite": False, "deselected": False}


def _recording(dispatch):
    def wrapper(self, request):
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            route, _ = adapter.match()
        except Exception:  # no route: the app answers 404/405 itself
            pass
        else:
            called.setdefault((route.http_method, route.rule), _state["test"])
        return dispatch(self, request)

    return wrapper


def pytest_configure(config):
    LocalWorkspaceApp.dispatch = _recording(LocalWorkspaceApp.dispatch)


def pytest_deselected(items):
    _state["deselected"] = True


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    checks = [item for item in items if item.name == CHECK]
    for item in checks:  # last, after every other test has had its calls noted
        items.remove(item)
        items.append(item)
    files = {Path(str(item.path)) for item in items}
    _state["whole_suite"] = set(TESTS.glob("test_*.py")) <= files


def pytest_runtest_setup(item):
    _state["test"] = item.nodeid


def whole_suite_ran() -> bool:
    return _state["whole_suite"] and not _state["deselected"]
