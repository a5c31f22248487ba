"""User accounts: creation, passwords, deactivation. Passwords are hashed with scrypt."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .access import ensure_active
from .errors import InvalidInput, NotFound, PermissionDenied
from .models import Municipality, User
from .states import Role
from .text import check_text

MIN_PASSWORD = 10
# The most common passwords (and their obvious variants) are refused outright.
COMMON_PASSWORDS = frozenset(
    ["123456", "123456789", "12345678", "password", "qwerty123", "qwerty", "1234567890", "111111", "1234567", "123123", "1q2w3e4r", "1q2w3e4r5t", "qwertyuiop", "password1", "password123", "admin", "admin123", "iloveyou", "000000", "йцукен", "йцукен123", "пароль", "пароль123", "qwerty12345", "123qwe", "1qaz2wsx", "zaq12wsx", "654321", "666666", "987654321", "0987654321", "abc123", "abcd1234", "welcome", "welcome1", "letmein", "monkey", "dragon", "privet", "привет123", "1234qwer", "qwer1234", "123321", "1111111111", "aaaaaaaaaa"]
)
LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def check_password_policy(password: str, login: str = "") -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(f"Пароль должен быть не короче {MIN_PASSWORD} символов", field="password")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or lowered.rstrip("0123456789!") in COMMON_PASSWORDS:
        raise InvalidInput("Этот пароль слишком распространён, выберите другой", field="password")
    if login and login.lower() in lowered:
        raise InvalidInput("Пароль не должен содержать логин", field="password")
    if len(set(password)) < 4:
        raise InvalidInput("Пароль слишком простой", field="password")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


# Used for a timing-equal check when the login does not exist.
_DUMMY_HASH = hash_password("dummy-password-for-timing")


def password_matches(password_hash: str | None, password: str) -> bool:
    """Constant-cost check; a missing hash is compared against a dummy one."""
    if password_hash is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return False
    return check_password_hash(password_hash, password or "")


def create_user(
    session: Session, *, login: str, full_name: str, role: str, password: str, now: datetime,
    municipality_code: str | None = None, position: str = "", phone: str = "", email: str = "",
    enforce_policy: bool = True, actor: User | None = None,
) -> User:
    """`actor`: the admin creating the account (None for server commands); a new signatory
    is an audited grant that the existing signatories are told about."""
    login = (login or "").strip().lower()
    if not LOGIN_RE.match(login):
        raise InvalidInput("Логин: латинские буквы, цифры, точка, дефис; от 2 до 64 символов", field="login")
    try:
        role_enum = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"Неизвестная роль «{role}»; допустимые: {allowed}", field="role") from None
    if session.scalar(select(func.count(User.id)).where(User.login == login)):
        raise InvalidInput(f"Пользователь «{login}» уже существует", field="login")
    municipality_id = None
    if role_enum == Role.MUNICIPAL_EDITOR:
        if not municipality_code:
            raise InvalidInput("Для специалиста муниципалитета укажите муниципалитет", field="municipality")
        municipality = session.scalar(select(Municipality).where(Municipality.code == municipality_code))
        if municipality is None:
            raise NotFound(f"Муниципалитет с кодом «{municipality_code}» не найден")
        municipality_id = municipality.id
    elif municipality_code:
        raise InvalidInput("Муниципалитет указывается только для специалиста муниципалитета", field="municipality")
    if enforce_policy:
        check_password_policy(password, login)
    full_name = check_text(full_name or login, "ФИО", "full_name").strip()
    position = check_text(position or "", "Должность", "position").strip()
    phone = check_text(phone or "", "Телефон", "phone").strip()
    email = check_text(email or "", "Электронная почта", "email").strip()
    user = User(
        login=login, full_name=full_name, role=role_enum.value,
        municipality_id=municipality_id, password_hash=hash_password(password), position=position,
        phone=phone, email=email, active=True, created_at=now,
    )
    session.add(user)
    session.flush()
    if role_enum == Role.SIGNATORY:
        from .signatory_certificates import signatory_granted  # imports signin -> users

        signatory_granted(session, user, actor, now=now)
    return user


def set_password(session: Session, user: User, password: str, actor: User) -> None:
    ensure_active(actor)
    if actor.role != Role.ADMIN and actor.id != user.id:
        raise PermissionDenied("Сменить пароль может администратор")
    check_password_policy(password, user.login)
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    session.flush()


def set_active(session: Session, user: User, active: bool, actor: User) -> None:
    ensure_active(actor)
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Отключить пользователя может администратор")
    if user.id == actor.id and not active:
        raise InvalidInput("Нельзя отключить собственную учётную запись")
    user.active = active
    user.session_epoch += 1
    session.flush()
