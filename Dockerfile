# emcd_fem image: installs exactly as `make setup` does (same Makefile, same PyPI route),
# so CI's clean-clone `make setup` exercises this install.
# Default command: run a 3D demo case and write results to the mounted /work/results.
#   docker build -t emcd_fem .
#   docker run --rm -v "$PWD/results:/work/results" emcd_fem
#   docker run --rm -v "$PWD:/work" emcd_fem emcd run /work/my_case.toml --out /work/out
FROM python:3.12-slim-bookworm

# gcc/libc6-dev: FFCx JIT-compiles forms at run time; make: the setup route;
# libglu1-mesa, libxrender1, libxcursor1, libxft2, libxinerama1: gmsh's shared library;
# libgl1, libxrender1: VTK (PyVista) off-screen rendering.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev make \
       libglu1-mesa libgl1 libxrender1 libxcursor1 libxft2 libxinerama1 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 emcd && mkdir -p /work/results && chown -R 1000:1000 /work
WORKDIR /opt/emcd_fem
COPY --chown=1000:1000 . .
RUN chown 1000:1000 /opt/emcd_fem
USER 1000:1000
RUN make setup PYTHON=python3.12
ENV PATH="/opt/emcd_fem/.venv/bin:${PATH}" \
    PYVISTA_OFF_SCREEN=true
WORKDIR /work
CMD ["emcd", "run", "/opt/emcd_fem/demos/slab_3d.toml", "--out", "/work/results/slab_3d"]
