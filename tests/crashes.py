"""One way to kill a sync at any point: proxies that count every call and crash at the Nth."""
import pytest


class Crash(BaseException):
    """Stands for the process being killed: nothing after it runs (not an Exception, so nothing catches it)."""


class CrashAt:
    """Counts every call made through what it wraps (adapters and single functions alike, together);
    the `step`th call crashes, before it reaches the server or, with `after`, once the server has done it
    and before its answer is used."""

    def __init__(self, step: int, after: bool = False):
        self.step, self.after, self.calls = step, after, 0

    def call(self, method):
        def counted(*args, **kwargs):
            self.calls += 1
            if self.calls == self.step and not self.after:
                raise Crash()
            result = method(*args, **kwargs)
            if self.calls == self.step:
                raise Crash()
            return result
        return counted

    def adapter(self, inner):
        return _Proxy(inner, self)


class _Proxy:
    def __init__(self, inner, crash: CrashAt):
        self._inner, self._crash = inner, crash

    def __getattr__(self, name):
        attribute = getattr(self._inner, name)
        return self._crash.call(attribute) if callable(attribute) else attribute


@pytest.fixture
def crash_at():
    """`crash_at(step, after=False)`: a CrashAt; wrap the adapters with `.adapter(api)`, a function with `.call(f)`."""
    return CrashAt
