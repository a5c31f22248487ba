"""Placeholder: filled in by the verify screens."""

from flask import Blueprint

bp = Blueprint("verify", __name__)
