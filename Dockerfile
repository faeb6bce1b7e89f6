# korag's application image: the CLI, `korag worker`, `korag api` and the portal (compose.yaml).
# Build: docker build -t korag .            (GPU embeddings: --build-arg KORAG_EXTRAS="[gpu]")

# --- build: a virtual environment with korag and its dependencies -------------------------------
FROM python:3.11-slim AS build
ARG KORAG_EXTRAS=""
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# dependencies first, so a code change does not reinstall them
COPY pyproject.toml README.md ./
RUN mkdir -p rag ingest agents ui && touch rag/__init__.py ingest/__init__.py agents/__init__.py ui/__init__.py \
 && pip install ".${KORAG_EXTRAS}" && pip uninstall -y korag
COPY rag rag
COPY ingest ingest
COPY agents agents
COPY ui ui
RUN pip install --no-deps ".${KORAG_EXTRAS}"

# --- run: slim Python, Tesseract with Korean data, no compilers, not root ------------------------
FROM python:3.11-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-kor fonts-nanum \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    KORAG_HOME=/data/korag \
    HF_HOME=/models/hf
RUN useradd --create-home --uid 10001 korag \
 && mkdir -p /data/korag /models/hf && chown -R korag:korag /data/korag /models/hf
USER korag
WORKDIR /home/korag
VOLUME ["/data/korag", "/models/hf"]
EXPOSE 8000 8501
CMD ["korag", "--help"]
