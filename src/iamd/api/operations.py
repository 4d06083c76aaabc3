"""Lazy, thread-safe per-operation compilation shared by the protocol codecs.

Both codecs (Query in ``models``, JSON in ``json_protocol``) read a botocore model once per
process and compile an operation on its first use, so start-up pays only for reading the model
JSON and each request only for its own data. A lock makes concurrent first uses compile once.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Generic, TypeVar

import botocore.loaders
from botocore.model import OperationModel, ServiceModel

T = TypeVar("T")


@cache
def loader() -> botocore.loaders.Loader:
    """botocore's loader, also searching the models iamd ships for its own operations (service
    ``iamd``), the folder ``iamd data-path`` prints for boto3's ``AWS_DATA_PATH``."""
    from iamd.data import models_path

    return botocore.loaders.Loader(extra_search_paths=[str(models_path())])


def load_model(service_name: str) -> ServiceModel:
    """The ``service-2`` model of a service (newest API version): botocore's, or iamd's own."""
    data = loader().load_service_model(service_name, "service-2")
    return ServiceModel(data, service_name=service_name)


class LazyOperations(Generic[T]):
    """Operations of one model, each compiled by ``_compile`` on first use and then cached."""

    def __init__(self, model: ServiceModel) -> None:
        self.model = model
        self.service_name: str = model.service_name
        self.api_version: str = model.api_version
        self.operation_names: tuple[str, ...] = tuple(model.operation_names)
        self._known = frozenset(self.operation_names)
        self._ops: dict[str, T] = {}
        self._lock = threading.Lock()

    def operation(self, name: str) -> T:
        """Compiled operation (``KeyError`` if the model has no such operation)."""
        op = self._ops.get(name)
        if op is None:
            if name not in self._known:
                raise KeyError(name)
            with self._lock:
                op = self._ops.get(name)
                if op is None:
                    op = self._ops[name] = self._compile(self.model.operation_model(name))
        return op

    def compile_all(self) -> None:
        for name in self.operation_names:
            self.operation(name)

    def _compile(self, om: OperationModel) -> T:
        raise NotImplementedError
