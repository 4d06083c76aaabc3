"""iamd: a self-hosted, AWS-compatible Identity and Access Management service."""

__version__ = "0.1.0"
