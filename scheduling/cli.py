"""Scheduling commands of the ``bilans`` CLI."""

from __future__ import annotations

import click

commands: list[click.Command] = []
