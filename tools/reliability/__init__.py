"""``make reliability``: hostile traffic against a fresh ``iamd serve``, one result line per part.

- ``fuzz``: every operation of botocore's models for the services iamd routes, signed, with
  hostile values per member shape and raw malformed bodies; every answer must be a well-formed
  AWS error document for its protocol, or a success botocore's parser accepts;
- ``tamper``: valid signed requests with one part tampered; each must be refused with AWS's code;
- ``slow``: half-open sockets and slowloris headers, then an authenticated call must succeed;
- ``races``: concurrent quota-bound and same-name writes against two processes on one store.

Run ``python -m tools.reliability --help``; the run is deterministic for a ``--seed``.
"""
