"""Data iamd ships: the action catalogue, AWS-managed policies, and the botocore-format models of
iamd's own operations (``models/iamd/<version>/service-2.json``)."""

from __future__ import annotations

from pathlib import Path


def models_path() -> Path:
    """The folder of iamd's service models, in botocore's layout: give it to boto3 and the aws CLI
    as ``AWS_DATA_PATH`` and they call ``iamd`` like any AWS service."""
    return Path(__file__).resolve().parent / "models"
