"""Check families, imported lazily by dotted name so Java and torch start only when needed."""

from types import MappingProxyType

FAMILIES = MappingProxyType({
    "grammar": "qa.checks.grammar",
    "inversion": "qa.checks.inversion",
    "terminology": "qa.checks.terminology",
})

# Each family module defines RULES (tuple of registry.Rule) and CHECK, a class
# constructed as CHECK(config, engines) with check(doc, progress) -> Iterable[Issue].
