"""Declarative plan/apply for Huawei Cloud MetaStudio voice-model training."""

__version__ = "0.1.0"
