# iamd in a container (docs/operations.md):
#   docker build -t iamd .
#   docker run -d --name iamd -p 8750:8750 -v iamd-data:/data iamd
#   docker logs iamd    # the first start's root access key, printed once
# Settings are IAMD_* variables (docker run -e IAMD_DB=postgresql://…, -e IAMD_MASTER_KEY=…).

# Build stage: a virtual environment with iamd and its dependencies (all ship as wheels).
FROM python:3.12-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml /src/
COPY src /src/src
RUN python -m venv /opt/iamd && /opt/iamd/bin/pip install /src

# Run stage: the same base, the venv, a user without privileges, the data in a volume.
FROM python:3.12-slim
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin iamd \
    && install -d -m 0700 -o iamd -g iamd /data
COPY --from=build /opt/iamd /opt/iamd
ENV PATH=/opt/iamd/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    IAMD_HOST=0.0.0.0 \
    IAMD_PORT=8750 \
    IAMD_DATA_DIR=/data
USER iamd
WORKDIR /data
VOLUME /data
EXPOSE 8750
# uvicorn shuts down gracefully on SIGTERM (docker stop): open calls finish, the trail is signed.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s \
    CMD ["python", "-c", "import os, socket; socket.create_connection(('127.0.0.1', int(os.environ['IAMD_PORT'])), 2)"]
ENTRYPOINT ["iamd"]
CMD ["serve"]
