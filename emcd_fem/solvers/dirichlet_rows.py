"""Dirichlet rows at the operator's scale, for the linear solves and for SNES.

At physical units the diffusion operator's entries are ~c D h^(d−2) (1e-6 … 1e-4 for gases,
far less in solids), while DOLFINx puts a 1 on the diagonal of every Dirichlet row. The
solution is the same, but every norm a solver judges — ‖b‖ of a Krylov solve, ‖F‖ of a
Newton solve — is then dominated by the Dirichlet rows (a boundary value ~1 against nodal
flux imbalances ~1e-10): a relative tolerance stops long before the fluxes are accurate.

Here each Dirichlet row of a block reads s (x_i − g_i) = 0 with s the mean |a_ii| of the
block's other rows (the operator's diagonal scale): the system and its solution are
unchanged, its norms are measured in the operator's units.

* :func:`dirichlet_scale`: s of a block from an assembled matrix (collective).
* :class:`ScaledDirichletRows`: installed on a DOLFINx ``NonlinearProblem`` (SNES), it
  scales the Jacobian's Dirichlet diagonal *and* the residual's Dirichlet entries by the
  same s — the Newton step on those rows stays x_i → g_i exactly. s is fixed from the
  Jacobian at the start of the first solve and kept for the problem's lifetime, so the
  residual norms of a solve are comparable from iteration to iteration.

No collective inside the SNES callbacks beyond DOLFINx's own assembly: the residual
callback scales owned entries only (a rank that fails after its assembly meets the others
at the callback guard's agreement, :mod:`emcd_fem.callback_guard`), and the reduction of
s happens in :meth:`ScaledDirichletRows.prepare`, before the solve (``models.newton``
calls it), which also puts the Dirichlet data into the start.
"""

import weakref
from collections.abc import Sequence
from typing import Any

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np
from dolfinx import fem


def owned_constrained_rows(bcs: Sequence[fem.DirichletBC], offset: int = 0) -> np.ndarray:
    """Local indices of the owned rows the conditions constrain (shifted by ``offset``)."""
    rows = [bc.dof_indices()[0][: bc.dof_indices()[1]] for bc in bcs]
    if not rows:
        return np.zeros(0, dtype=np.int32)
    return np.unique(np.concatenate(rows)).astype(np.int32) + offset


def dirichlet_scale(
    diagonal: np.ndarray, constrained: np.ndarray, comm: MPI.Comm, *, rows: slice | None = None
) -> float:
    """Mean |a_ii| over the unconstrained owned rows of every rank (collective).

    Args:
        diagonal: The owned part of the matrix diagonal.
        constrained: Local indices of the constrained rows (within ``rows``).
        comm: The matrix communicator.
        rows: The block's slice of ``diagonal`` (default: all of it).

    Returns:
        s > 0 (1 when no row is free or the diagonal is zero).
    """
    values = np.abs(diagonal[rows if rows is not None else slice(None)])
    free = np.ones(values.size, dtype=bool)
    free[constrained] = False
    total = comm.allreduce(float(values[free].sum()), op=MPI.SUM)
    count = comm.allreduce(int(free.sum()), op=MPI.SUM)
    return total / count if count and total > 0.0 else 1.0


def set_diagonal(A: PETSc.Mat, rows: np.ndarray, values: np.ndarray | float) -> None:
    """Overwrite A's diagonal at the owned local ``rows`` (collective; entries exist)."""
    diagonal = A.getDiagonal()
    array = diagonal.getArray()  # owned rows, writable view
    array[rows] = values
    diagonal.setArray(array)
    A.setDiagonal(diagonal, addv=PETSc.InsertMode.INSERT_VALUES)
    diagonal.destroy()


def scale_matrix_rows(A: PETSc.Mat, bcs: Sequence[fem.DirichletBC]) -> float:
    """Set the Dirichlet diagonal of an assembled single-block A to its scale s; return s."""
    if not bcs:
        return 1.0
    rows = owned_constrained_rows(bcs)
    diagonal = A.getDiagonal()
    scale = dirichlet_scale(diagonal.getArray(), rows, A.getComm().tompi4py())
    diagonal.destroy()
    set_diagonal(A, rows, scale)
    return scale


class ScaledDirichletRows:
    """Scaled Dirichlet rows for a DOLFINx ``NonlinearProblem`` (one block or ``kind="mpi"``).

    Replaces the SNES residual and Jacobian callbacks by DOLFINx's own
    (``assemble_residual``/``assemble_jacobian``) followed by the scaling of the Dirichlet
    rows of each block: J_ii = s_b and F_i = s_b (x_i − g_i). Attribute :attr:`scales`
    holds s_b per block once known.

    Args:
        problem: The problem (its SNES callbacks are replaced).
        bcs: Its Dirichlet conditions.
    """

    def __init__(self, problem: dolfinx.fem.petsc.NonlinearProblem, bcs: Sequence[Any]) -> None:
        # a weak reference: the SNES holds this object's bound methods, so a strong one
        # would close a cycle through a PETSc object, which Python's collector cannot see;
        # the problem, its mesh and its communicators would then never be freed (a long
        # session ran out of MPI context ids: "Cannot allocate context ID")
        self._problem = weakref.ref(problem)
        self.bcs = list(bcs)
        us = problem.u if isinstance(problem.u, Sequence) else [problem.u]
        spaces = [u.function_space for u in us]
        by_block = (
            fem.bcs_by_block(fem.extract_function_spaces(problem.F), self.bcs)
            if len(us) > 1
            else [self.bcs]
        )
        self.blocks: list[tuple[slice, np.ndarray]] = []
        offset = 0
        for space, block_bcs in zip(spaces, by_block, strict=True):
            size = space.dofmap.index_map.size_local * space.dofmap.index_map_bs
            self.blocks.append((slice(offset, offset + size), owned_constrained_rows(block_bcs)))
            offset += size
        self.scales: list[float] | None = None
        self._start_jacobian = False  # J holds the Jacobian at the start (prepare)
        self._by_block = list(zip(us, by_block, strict=True))
        self._jacobian_ctx = {
            "u": problem.u,
            "jacobian": problem.J,
            "preconditioner": problem.preconditioner,
            "bcs": self.bcs,
        }
        self._residual_ctx = {
            "u": problem.u,
            "residual": problem.F,
            "jacobian": problem.J,
            "bcs": self.bcs,
        }
        if (blocks := problem.b.getAttr("_blocks")) is not None:
            self._residual_ctx["_blocks"] = blocks
        snes = problem.solver
        snes.setFunction(self.residual, problem.b)
        snes.setJacobian(self.jacobian, problem.A, problem.P_mat)

    @property
    def problem(self) -> dolfinx.fem.petsc.NonlinearProblem:
        """The problem these rows belong to (alive while its owner keeps it)."""
        problem = self._problem()
        if problem is None:
            raise RuntimeError("ScaledDirichletRows: the problem was already freed")
        return problem

    def prepare(self) -> None:
        """Before a solve, outside the SNES callbacks (collective): data into the start, s.

        The unknowns take the Dirichlet data: the first residual's Dirichlet entries are
        then exactly 0 (x_i = g_i), and the Newton step there is 0, as from any start. On
        the first solve of the problem the Jacobian at this start is assembled here and s
        taken from it (the one reduction); SNES's first Jacobian request of this solve then
        uses that matrix instead of assembling the same one again.
        """
        self._start_jacobian = False
        for u, block_bcs in self._by_block:
            for bc in block_bcs:
                bc.set(u.x.array)  # owned and ghost entries of the constrained dofs
        if self.scales is None:
            x, problem = self.problem.x, self.problem
            dolfinx.fem.petsc.assign(problem.u, x)  # what NonlinearProblem.solve starts from
            self.jacobian(problem.solver, x, problem.A, problem.P_mat)
            self._start_jacobian = True

    def _rows(self) -> list[tuple[np.ndarray, float]]:
        assert self.scales is not None
        return [
            (block.start + rows, s)
            for (block, rows), s in zip(self.blocks, self.scales, strict=True)
        ]

    def residual(self, snes: PETSc.SNES, x: PETSc.Vec, b: PETSc.Vec) -> None:
        """SNES residual callback: DOLFINx's residual, Dirichlet entries times s_b.

        No collective after the assembly (only owned entries change; SNES reads no ghost).
        Before the first Jacobian (s unknown) the entries are left as assembled: 0 after
        :meth:`prepare`.
        """
        dolfinx.fem.petsc.assemble_residual(snes, x, b, **self._residual_ctx)
        if self.scales is None:
            return
        array = b.getArray()  # owned entries, writable view
        for rows, s in self._rows():
            array[rows] *= s

    def jacobian(self, snes: PETSc.SNES, x: PETSc.Vec, J: PETSc.Mat, P: PETSc.Mat | None) -> None:
        """SNES Jacobian callback: DOLFINx's Jacobian, Dirichlet diagonal s_b.

        The first call of a solve after :meth:`prepare` assembled J at the start returns at
        once. Without :meth:`prepare` the first call fixes s (a reduction inside the
        callback: a rank failing between it and the assembly would not be agreed).
        """
        if self._start_jacobian:  # assembled by prepare() at this very start
            self._start_jacobian = False
            return
        dolfinx.fem.petsc.assemble_jacobian(snes, x, J, P, **self._jacobian_ctx)
        if self.scales is None:
            diagonal = J.getDiagonal()
            values, comm = diagonal.getArray(), J.getComm().tompi4py()
            self.scales = [dirichlet_scale(values, rows, comm, rows=b) for b, rows in self.blocks]
            diagonal.destroy()
        rows = self._rows()
        indices = np.concatenate([r for r, _ in rows])
        values = np.concatenate([np.full(r.size, s) for r, s in rows])
        for matrix in (J,) if P is None or P == J else (J, P):
            set_diagonal(matrix, indices, values)


__all__ = [
    "ScaledDirichletRows",
    "dirichlet_scale",
    "owned_constrained_rows",
    "scale_matrix_rows",
    "set_diagonal",
]
