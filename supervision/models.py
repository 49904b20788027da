"""Supervision tables: sessions, actions, training records, materials, tool licences."""

from __future__ import annotations
