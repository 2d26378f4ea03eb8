"""Problems an admin can make in the knowledge files, each pointing at a file and line."""

from __future__ import annotations

from dataclasses import dataclass

from ..redact import redact_secrets

MAX_MESSAGE = 300  # a problem is one line an admin reads in Telegram; quotes are excerpts


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake: where it is and what is wrong, in plain words."""

    file: str
    line: int
    message: str

    def __post_init__(self) -> None:
        # whatever a check quoted from a file: no secrets, no pages of it
        clean = " ".join(redact_secrets(self.message).split())
        if len(clean) > MAX_MESSAGE:
            clean = clean[: MAX_MESSAGE - 1] + "…"
        object.__setattr__(self, "message", clean)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "message": self.message}


class KnowledgeInvalid(Exception):
    """The knowledge base was rejected whole; nothing of it was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
