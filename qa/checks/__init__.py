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
#   cache_key() -> str   what its results depend on besides the text, the config and
#                        the vocabulary (already in every key): engine and model
#                        versions, the content of other files it reads. Called once per
#                        file, so it must be cheap: it must not load a model or start a
#                        server (nor should the constructor, or a fully cached run still
#                        pays for loading).
#   context              how much text around a sentence can change that sentence's
#                        issues: n sentences on each side (int, across paragraphs),
#                        None for its paragraph (the default), or "document" when
#                        results depend on the whole text (then any edit re-checks the
#                        file, but an unchanged file is still served from the cache).
#                        It is part of each sentence's key.
# and check(doc, progress, sentences=None), where sentences lists the indices whose
# issues are needed (None: all). It may return issues of other sentences too; the
# runner keeps those it asked for. An issue's span must lie inside the sentence's
# context window to be cached. Families without cache_key are always run in full.
