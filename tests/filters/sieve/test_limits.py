"""Limits stop a runaway script with a runtime error and the implicit keep."""

from __future__ import annotations

from postvak.filters.sieve import Limits


def test_max_actions(run) -> None:
    script = 'require "fileinto";\n' + "".join(f'fileinto "box{i}";\n' for i in range(40))
    plan = run(script, limits=Limits(max_actions=32))
    assert plan.actions == () and plan.implicit_keep
    assert "more than 32 actions" in plan.errors[0]
    assert len(run(script, limits=Limits(max_actions=40)).actions) == 40


def test_max_redirects(run) -> None:
    script = "".join(f'redirect "u{i}@example.net";' for i in range(5))
    plan = run(script, limits=Limits(max_redirects=4))
    assert plan.actions == () and plan.implicit_keep and "redirects" in plan.errors[0]
    assert len(run(script, limits=Limits(max_redirects=5)).actions) == 5


def test_max_steps(run) -> None:
    keys = ", ".join(f'"k{i}"' for i in range(500))
    script = f'if header :contains ["subject", "from", "to"] [{keys}] {{ discard; }}'
    plan = run(script, limits=Limits(max_steps=200))
    assert plan.errors and "steps" in plan.errors[0] and plan.implicit_keep
    assert run(script).errors == ()


def test_include_depth(run) -> None:
    scripts = {f"s{i}": f'require "include"; include "s{i + 1}";' for i in range(10)}
    scripts["s10"] = "discard;"
    plan = run('require "include"; include "s0";', loader=lambda n, loc: scripts.get(n),
               limits=Limits(max_include_depth=20))
    assert plan.errors == () and not plan.implicit_keep
    # a shallower limit refuses the chain already when compiling
    import pytest

    from postvak.filters.sieve import SieveSyntaxError

    with pytest.raises(SieveSyntaxError, match="nested too deeply"):
        run('require "include"; include "s0";', loader=lambda n, loc: scripts.get(n),
            limits=Limits(max_include_depth=3))


def test_variable_growth_is_bounded(run) -> None:
    script = 'require "variables"; set "a" "xxxxxxxxxx";' + 'set "a" "${a}${a}";' * 30
    plan = run(script, limits=Limits(max_string=100_000))
    assert plan.errors and plan.implicit_keep
