"""iamd's own operations (service ``iamd``, the model in ``iamd/data/models``)."""

from iamd.services.iamd import escalation  # noqa: F401
