"""A tiny query-protocol model using the traits IAM and STS lack (flattened, locationName, ...)."""

from __future__ import annotations

_MEMBERS = {
    "Names": {"shape": "StrList"},
    "Flat": {"shape": "FlatList"},
    "Renamed": {"shape": "RenamedFlatList"},
    "Attrs": {"shape": "RenamedMap"},
    "FlatMap": {"shape": "FlatMap"},
    "When": {"shape": "Time"},
    "Data": {"shape": "Bytes"},
    "Ratio": {"shape": "Ratio"},
    "Big": {"shape": "Big"},
    "Node": {"shape": "TreeNode"},
}

SYNTHETIC_MODEL = {
    "version": "2.0",
    "metadata": {
        "apiVersion": "2020-01-01",
        "endpointPrefix": "synthetic",
        "protocol": "query",
        "serviceId": "Synthetic",
        "signatureVersion": "v4",
        "xmlNamespace": "https://synthetic.example/doc/2020-01-01/",
    },
    "operations": {
        "Do": {
            "name": "Do",
            "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "DoInput"},
            "output": {"shape": "DoOutput", "resultWrapper": "DoResult"},
        }
    },
    "shapes": {
        "DoInput": {"type": "structure", "members": _MEMBERS},
        "DoOutput": {"type": "structure", "members": _MEMBERS},
        "Str": {"type": "string"},
        "StrList": {"type": "list", "member": {"shape": "Str"}},
        "FlatList": {"type": "list", "member": {"shape": "Str"}, "flattened": True},
        "RenamedFlatList": {"type": "list", "member": {"shape": "Str", "locationName": "Item"},
                            "flattened": True},
        "RenamedMap": {"type": "map", "key": {"shape": "Str", "locationName": "k"},
                       "value": {"shape": "Str", "locationName": "v"}},
        "FlatMap": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Str"}, "flattened": True},
        "Time": {"type": "timestamp"},
        "Bytes": {"type": "blob"},
        "Ratio": {"type": "double"},
        "Big": {"type": "long"},
        "TreeNode": {"type": "structure", "members": {"Label": {"shape": "Str"},
                                                      "Children": {"shape": "TreeList"}}},
        "TreeList": {"type": "list", "member": {"shape": "TreeNode"}},
    },
}
