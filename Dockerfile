# Account-manager Q&A bot. Build: docker build -t am-bot .
# Run:   docker run -d --name am-bot -e TELEGRAM_BOT_TOKEN=... -v am-data:/app/data am-bot

# Stage 1: the bot's wheel (code, default knowledge base, catalogs), built away from /app
# so no build/ or egg-info reaches the image.
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY locales ./locales
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

# Stage 2: the image.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 DATA_DIR=/app/data KNOWLEDGE_DIR=/app/knowledge
WORKDIR /app

# Dependencies in their own layer, at pinned versions: rebuilt only when constraints.txt
# changes (not on a README or code edit).
COPY constraints.txt /tmp/constraints.txt
RUN pip install --requirement /tmp/constraints.txt && rm /tmp/constraints.txt

# The bot from its wheel; --no-index: every dependency must already be installed above.
COPY --from=wheel /dist /tmp/dist
RUN pip install --no-index /tmp/dist/*.whl && rm -rf /tmp/dist && pip check

# The knowledge base it serves, owned by root: the bot reads it, never rewrites it. Mount
# your own read-only over it to edit without rebuilding: -v "$PWD/knowledge:/app/knowledge:ro"
COPY knowledge ./knowledge
RUN useradd --create-home --uid 10001 botuser \
    && mkdir -p /app/data && chown botuser /app/data
USER botuser

# /app/data holds the SQLite file and the heartbeat: mount one named volume there
# (-v am-data:/app/data). No VOLUME instruction, so no anonymous volumes pile up.
EXPOSE 8080
# Healthy while the bot refreshes $DATA_DIR/heartbeat (it does so while processing updates).
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot.healthcheck"]
# Telegram only: without TELEGRAM_BOT_TOKEN the container stops with one line, exit code 2.
CMD ["python", "-m", "bot", "serve"]
