"""Fixtures for the workflow tests."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

import workflow.users


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """The world has six users and scrypt costs ~0.1 s each; nothing here signs in, so the
    workflow tests hash with a single PBKDF2 round. (Sign-in is tested under tests/web.)"""
    monkeypatch.setattr(
        workflow.users, "hash_password",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"),
    )
