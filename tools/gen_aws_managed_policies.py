"""Regenerate ``src/iamd/data/aws_managed_policies.json.gz`` from moto's catalogue.

moto (Apache-2.0) keeps a maintained copy of AWS's whole managed-policy catalogue, refreshed from
AWS with each release; iamd ships the documents as data so the server does not import moto.
Run: ``.venv/bin/pip install moto && .venv/bin/python tools/gen_aws_managed_policies.py``.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import moto

OUT = Path(__file__).resolve().parents[1] / "src" / "iamd" / "data" / "aws_managed_policies.json.gz"


def main() -> None:
    source = Path(moto.__file__).parent / "iam" / "aws_managed_policies.py"
    spec = importlib.util.spec_from_file_location("aws_managed_policies", source)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    catalogue = json.loads(module.aws_managed_policies_data)
    policies = [
        {
            "name": name,
            "path": entry["Path"],
            "default_version": entry["DefaultVersionId"],
            "created": entry["CreateDate"],
            "updated": entry["UpdateDate"],
            "document": json.dumps(entry["Document"], indent=4),
        }
        for name, entry in sorted(catalogue.items())
    ]
    data = json.dumps({"source": f"moto {moto.__version__}", "policies": policies}, separators=(",", ":"))
    OUT.write_bytes(gzip.compress(data.encode(), mtime=0))
    print(f"{len(policies)} policies -> {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
