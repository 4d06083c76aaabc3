"""CloudTrail's trails, event data stores and the rest of its API beyond LookupEvents and
ListPublicKeys (``services/cloudtrail.py``); importing the package registers the actions."""

from iamd.services.trails import lake, logging, selectors, stores, tagging, trails

__all__ = ["lake", "logging", "selectors", "stores", "tagging", "trails"]
