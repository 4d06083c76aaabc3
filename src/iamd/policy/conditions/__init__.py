"""Condition operators of the IAM policy language, one family per module (see ``operators``)."""

from .operators import CompiledCondition, UnknownOperator, compile_condition, operator_names

__all__ = ["CompiledCondition", "UnknownOperator", "compile_condition", "operator_names"]
