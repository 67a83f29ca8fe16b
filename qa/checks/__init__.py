"""Check families, imported lazily by dotted name so Java and torch start only when needed."""

from types import MappingProxyType

FAMILIES = MappingProxyType({
    "grammar": "qa.checks.grammar",
    "inversion": "qa.checks.inversion",
    "terminology": "qa.checks.terminology",
})

# Each family module defines RULES (tuple of registry.Rule) and CHECK, a class
# constructed as CHECK(config, engines) with check(doc, progress) -> Iterable[Issue].
#
# A family opts into the result cache (qa/cache.py) with two more members:
#   cache_key() -> str   what its results depend on besides the text and the config:
#                        engine and model versions (and the content of any file the
#                        config points to). Called once per file, so it must be cheap:
#                        it must not load a model or start a server.
#   context: int | None  how much text around a sentence can change that sentence's
#                        issues: n sentences on each side, or None for its paragraph
#                        (the default). It is part of each sentence's key.
# and check(doc, progress, sentences=None), where sentences lists the indices whose
# issues are needed (None: all). It may return issues of other sentences too; the
# runner keeps those it asked for. An issue's span must lie inside the sentence's
# context window to be cached. Families without cache_key are always run in full.
