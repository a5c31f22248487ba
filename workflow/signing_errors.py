"""Why a signing is refused: the typed errors (stable codes, Russian messages) and the PIN's
lock policy they quote."""

from __future__ import annotations

from datetime import datetime, timedelta

from .errors import WorkflowError

PIN_MAX_FAILURES = 5
PIN_LOCK = timedelta(minutes=15)


class SigningRefused(WorkflowError):
    code = "cannot_sign"


class NoCertificate(SigningRefused):
    code = "no_certificate"

    def __init__(self) -> None:
        super().__init__("У вас нет действующего сертификата электронной подписи. "
                         "Обратитесь к администратору: подписывать можно только своим ключом.")


class CertificateOwnerMismatch(SigningRefused):
    code = "certificate_owner_mismatch"

    def __init__(self, owner: str, full_name: str) -> None:
        super().__init__(f"Сертификат выдан на имя «{owner}», а не на «{full_name}»: "
                         "подписывать можно только сертификатом, выданным на ваше имя.")


class PinRequired(SigningRefused):
    code = "pin_required"

    def __init__(self) -> None:
        super().__init__("Введите PIN-код ключа электронной подписи")


class WrongPin(SigningRefused):
    """The PIN did not open the key. The failure is counted in the session: commit it."""

    code = "wrong_pin"
    kept = True

    def __init__(self, left: int, *, letters: int = 1) -> None:
        self.left = left
        tail = (f" Осталось попыток: {left}." if left > 0 else
                f" Ключ заблокирован на {int(PIN_LOCK.total_seconds() // 60)} минут.")
        what = "письмо не подписано" if letters == 1 else "письма не подписаны"
        super().__init__(f"Неверный PIN-код ключа электронной подписи; {what}." + tail)


class PinLocked(SigningRefused):
    code = "pin_locked"

    def __init__(self, until: datetime, now: datetime) -> None:
        minutes = max(1, int((until - now).total_seconds() // 60) + 1)
        super().__init__("Слишком много неверных PIN-кодов: ключ подписи заблокирован. "
                         f"Повторите через {minutes} мин.")


class SessionUnavailable(WorkflowError):
    code = "signing_session_unavailable"
