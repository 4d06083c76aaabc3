"""IAM Access Analyzer (``access-analyzer`` in SigV4 scopes and policies; docs/access-analyzer.md).

Each module registers its operations with ``@action("accessanalyzer", "<Operation>")``; importing
this package imports them all.
"""

from iamd.services.accessanalyzer import (  # noqa: F401
    analyzers,
    archive_rules,
    checks,
    findings,
    generation,
    previews,
    recommendations,
    validate,
)
