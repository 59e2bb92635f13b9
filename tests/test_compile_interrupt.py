"""A signal during form compilation (emcd_fem.compile_guard): prompt, and no stale cache.

The Newton problems of the Soret path compile their forms before the (deferred) set-up of
the DOLFINx problem, so SIGTERM/SIGINT in a long FFCx compilation raises there instead of
waiting for its end. FFCx claims a cache module by creating ``<module>.c`` and only gives
the claim up on an ``Exception``: interrupted by a KeyboardInterrupt it leaves the claim,
and the next compilation of the same form waits ``timeout`` seconds for a module that never
comes and fails (shown below with the bare ``fem.form``). The guard gives the claim up.

The signal is raised at a fixed point of the compilation, in process (deterministic): right
after FFCx claimed the module (the narrowest window), or as its code generation and C
compilation (where the time goes) start.
"""

import signal

from mpi4py import MPI

import dolfinx.jit
import ffcx.codegeneration.jit as ffcx_jit
import pytest
import ufl
from dolfinx import fem, mesh

from emcd_fem.compile_guard import compiled_forms
from emcd_fem.interrupts import Interrupted, signals_as_exceptions


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty JIT cache with a 1 s wait for a claimed module (instead of 10 s)."""
    options = dolfinx.jit.DOLFINX_DEFAULT_JIT_OPTIONS
    monkeypatch.setitem(options, "cache_dir", (tmp_path / "jit", options["cache_dir"][1]))
    monkeypatch.setitem(options, "timeout", (1, options["timeout"][1]))
    return tmp_path / "jit"


@pytest.fixture(params=["get_cached_module", "_compile_objects"])
def signal_in_compilation(request, monkeypatch):
    """SIGTERM (once) right after FFCx claimed a module, or as it starts generating code."""
    original = getattr(ffcx_jit, request.param)
    fired = []

    def then_signal(*args, **kwargs):
        if not fired and request.param == "_compile_objects":  # code generation: signal first
            fired.append(True)
            signal.raise_signal(signal.SIGTERM)
        found = original(*args, **kwargs)
        if not fired and found[0] is None:  # FFCx claimed the module: signal after
            fired.append(True)
            signal.raise_signal(signal.SIGTERM)
        return found

    monkeypatch.setattr(ffcx_jit, request.param, then_signal)
    return fired


def _volume_form():
    msh = mesh.create_unit_square(MPI.COMM_SELF, 2, 2)
    return fem.Constant(msh, 2.0) * ufl.dx(domain=msh)


def _claims(cache):
    return sorted(p.name for p in cache.glob("*.c") if not p.with_name(p.name + ".cached").exists())


def test_a_signal_ends_the_compilation_and_gives_up_the_claim(cache, signal_in_compilation):
    form = _volume_form()
    with pytest.raises(Interrupted), signals_as_exceptions():
        compiled_forms(form, MPI.COMM_SELF)
    assert signal_in_compilation  # the signal came inside the compilation
    assert _claims(cache) == []  # no module claimed and unfinished
    assert len(list(cache.glob("*.c.failed"))) == 1
    # the next compilation of the same form compiles it (no wait for the dead claim)
    compiled = compiled_forms(form, MPI.COMM_SELF)
    assert fem.assemble_scalar(compiled) == pytest.approx(2.0, rel=1e-14)


def test_without_the_guard_the_claim_stays_and_the_next_compile_times_out(
    cache, signal_in_compilation
):
    # FFCx's own behaviour, the reason for the guard (fails if FFCx learns to clean up)
    form = _volume_form()
    with pytest.raises(Interrupted), signals_as_exceptions():
        fem.form(form)
    assert len(_claims(cache)) == 1
    with pytest.raises(TimeoutError, match="JIT compilation timed out"):
        fem.form(form)


def test_other_errors_are_left_to_ffcx(cache, monkeypatch):
    # an Exception in the compilation: FFCx renames its claim itself, the guard adds nothing
    def failing(*args, **kwargs):
        raise RuntimeError("compiler broke")

    monkeypatch.setattr(ffcx_jit, "_compile_objects", failing)
    with pytest.raises(RuntimeError, match="compiler broke"):
        compiled_forms(_volume_form(), MPI.COMM_SELF)
    assert _claims(cache) == [] and len(list(cache.glob("*.c.failed"))) == 1
