"""Heavy external resources (LanguageTool, models), kept apart from checks (policy)."""


class EngineUnavailable(RuntimeError):
    """An engine is missing or failed to start; the message says how to fix it."""
