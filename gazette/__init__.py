"""Gazette: a static-site generator for government gazettes and normative-document libraries."""

__version__ = "0.1.0"
