# Account-manager Q&A bot. Build: docker build -t am-bot .
# Run:   docker run -e TELEGRAM_BOT_TOKEN=... -v am-data:/app/data -v $PWD/knowledge:/app/knowledge am-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DATA_DIR=/app/data KNOWLEDGE_DIR=/app/knowledge
WORKDIR /app

# Dependencies in their own layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN mkdir bot && touch bot/__init__.py \
    && pip install . \
    && pip uninstall -y account-manager-bot \
    && rm -rf bot

COPY bot ./bot
COPY locales ./locales
COPY knowledge ./knowledge
COPY babel.cfg ./
# Catalogs compiled at build time (the bot would otherwise compile them in memory).
RUN pip install --no-deps . && pybabel compile -d locales

RUN useradd --create-home --uid 10001 botuser \
    && mkdir -p /app/data \
    && chown -R botuser /app/data /app/knowledge
USER botuser

VOLUME ["/app/data", "/app/knowledge"]
EXPOSE 8080
# Healthy while the bot refreshes $DATA_DIR/heartbeat (it does so while processing updates).
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot.healthcheck"]
CMD ["python", "-m", "bot"]
