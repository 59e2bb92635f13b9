"""Admissibility and the run's own checks under MPI: every rank raises the same error.

Run under ``mpiexec -n 2`` (or 3). A refusal after the solve must end every rank with the
same message (no hang, no MPI abort), in the film and thermal pipelines as in the plain one.
"""

import dataclasses
from pathlib import Path

from mpi4py import MPI

import pytest

import emcd_fem as ef
from emcd_fem.models.films import FilmEMCDProblem

DEMOS = Path(__file__).resolve().parents[2] / "demos"
COMM = MPI.COMM_WORLD


def same_on_every_rank(text: str) -> bool:
    return len(set(COMM.allgather(text))) == 1


def test_film_inadmissible_flux_raises_on_every_rank():
    mats = {"a": ef.Material(1.0, 2.0), "b": ef.Material(0.1, 1.0), "c": ef.Material(0.5, 1.5)}
    films = {("a", "b"): 0.5, ("b", "c"): 0.5}
    domain = ef.layered_slab(
        [0.3, 0.4, 0.3],
        region_names=list(mats),
        dim=2,
        cells_per_layer=[3, 4, 3],
        cells_across=10,
        comm=COMM,
    )
    q = 0.9 / (4.55 + 0.5 * 4.0)  # Σ L/(cD) = 4.55, Σ 1/k = 4: 0.9 − q 8.55 < 0
    bcs = {"left": ef.MoleFraction(0.9), "right": ef.MolarFlux(q)}
    with pytest.raises(ef.AdmissibilityError, match="film resistances") as info:
        FilmEMCDProblem(domain, mats, bcs, films=films).solve()
    assert f"x_A = {0.9 - q * 8.55:.6g} < 0" in str(info.value)
    assert same_on_every_rank(str(info.value))


def test_thermal_inadmissible_flux_raises_on_every_rank():
    overrides = ['boundaries.right.type="flux"', "boundaries.right.value=1.3e-3"]
    with pytest.raises(ef.AdmissibilityError, match=r"'right' \(flux") as info:
        ef.run_case(DEMOS / "soret_slab_1d.toml", None, overrides, comm=COMM)
    assert same_on_every_rank(str(info.value))


def test_broken_reference_fails_on_every_rank(monkeypatch, tmp_path):
    import emcd_fem.pipeline.references as references  # the run's reference (every route)

    original = references.analytic_reference
    monkeypatch.setattr(
        references,
        "analytic_reference",
        lambda case: dataclasses.replace(original(case), flux=1.01 * original(case).flux),
    )
    out = COMM.bcast(str(tmp_path / "out"), root=0)
    with pytest.raises(ef.EmcdResultError, match="analytic reference disagrees") as info:
        ef.run_case(DEMOS / "slab_2d.toml", out, comm=COMM)
    assert info.value.result.summary["status"] == "failed"
    assert same_on_every_rank(str(info.value))
