# emcd_fem image: installs exactly as `make setup` does (same Makefile, same PyPI route).
# Default command runs the composite-slab demo. Build and run:
#   docker build -t emcd_fem .
#   docker run --rm -v "$PWD/results:/work/results" emcd_fem
FROM python:3.12-slim-bookworm

# gcc: FFCx JIT-compiles forms at run time; make: the setup route;
# libglu1-mesa/libxrender1/libxcursor1/libxft2/libxinerama1: gmsh's shared library.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev make \
       libglu1-mesa libxrender1 libxcursor1 libxft2 libxinerama1 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home emcd
WORKDIR /opt/emcd_fem
COPY --chown=emcd:emcd . .
USER emcd
RUN make setup PYTHON=python3.12
ENV PATH="/opt/emcd_fem/.venv/bin:${PATH}"
WORKDIR /work
CMD ["python", "/opt/emcd_fem/demos/demo_composite_slab.py"]
