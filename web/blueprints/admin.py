"""Placeholder: filled in by the admin screens."""

from flask import Blueprint

bp = Blueprint("admin", __name__)
