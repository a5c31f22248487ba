"""The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json.

Request bodies are generated from the same declarations the handlers validate with
(`validation.schema_of`), so the documented and the enforced contract are one.
"""

from __future__ import annotations

from functools import cache

from workflow.machine import TRIGGERS
from workflow.states import (
    LetterKind,
    LetterState,
    ProgrammeState,
    RemarkState,
    RemarkVisibility,
    Role,
    Verdict,
)

from ..uploads import CONTENT_TYPES as FILE_TYPES
from . import bp
from . import campaigns as campaigns_api
from . import notifications as notifications_api
from .auth import TOKEN_REQUEST
from .campaign_status import MODELS as CAMPAIGN_MODELS
from .common import DEFAULT_PER_PAGE, MAX_PER_PAGE
from .drafts import DeletedDraft
from .jobs import MODELS as JOB_MODELS
from .letters import SIGN_LETTER
from .programmes import CREATE_PROGRAMME, FIRE_ACTION, UPDATE_PROGRAMME
from .review import ASSESS, CREATE_REMARK, OPTIONAL_BODY, REQUIRED_BODY
from .shapes import components as shape_components
from .validation import INT_MAX, schema_of

API_VERSION = "1.0.0"


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def obj(properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": [k for k in properties if k not in optional],
    }


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": INT_MAX}


def pydantic_schema(model) -> dict:
    """A pydantic model's JSON schema, its nested models referenced as components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return schema


def enum(values) -> dict:
    return {"type": "string", "enum": [str(v) for v in values]}


def page_of(item: str) -> dict:
    return obj({"items": {"type": "array", "items": ref(item)}, "total": INT, "page": INT,
                "per_page": INT})


SUMMARY = {
    "id": INT,
    "title": STR,
    "campaign_id": INT,
    "municipality": ref("Municipality"),
    "state": enum(ProgrammeState),
    "state_label": STR,
    "version": INT,
    "revision_number": INT,
    "period_from": INT,
    "period_to": INT,
    "reviewer": nullable(ref("Person")),
    "updated_at": DATETIME,
    "submitted_at": nullable(DATETIME),
}

SCHEMAS = {
    "Error": obj({
        "error": obj({
            "code": {**STR, "description": "Стабильный машинный код ошибки"},
            "message": {**STR, "description": "Сообщение для человека (по-русски)"},
            "field": {**STR, "description": "Поле запроса, к которому относится ошибка"},
            "reasons": {"type": "array", "items": STR,
                        "description": "Невыполненные условия перехода (guard_failed)"},
            "retry_after": {**INT, "description": "Через сколько секунд повторить вход "
                                                 "(too_many_attempts; также заголовок Retry-After)"},
        }, optional=("field", "reasons", "retry_after")),
    }),
    "Person": obj({"id": INT, "full_name": STR}),
    "Municipality": obj({"id": INT, "code": STR, "name": STR}),
    "User": obj({
        "id": INT, "login": STR, "full_name": STR, "role": enum(Role), "role_label": STR,
        "municipality": nullable(ref("Municipality")),
    }),
    "TokenRequest": schema_of(TOKEN_REQUEST),
    "Token": obj({
        "token": {**STR, "description": "Передавайте в заголовке Authorization: Bearer <token>"},
        "token_type": {"type": "string", "const": "Bearer"},
        "expires_at": DATETIME,
        "user": ref("User"),
    }),
    "Me": obj({"user": ref("User")}),
    "Section": obj({"requirement_id": INT, "position": INT, "requirement_text": STR, "text": STR}),
    "StoredFile": obj({
        "id": INT, "name": STR, "size": INT, "content_type": STR,
        "sha256": {**STR, "description": "SHA-256 содержимого (ключ в хранилище файлов)"},
        "added_at": nullable(DATETIME),
        "download_url": {**STR, "description": "Адрес для скачивания через API"},
    }),
    "Action": obj({
        "trigger": enum(TRIGGERS), "label": STR, "needs_reason": BOOL, "danger": BOOL,
        "enabled": BOOL,
        "blocked_by": {"type": "array", "items": STR,
                       "description": "Почему действие сейчас недоступно"},
    }),
    "ProgrammeSummary": obj(SUMMARY),
    "Programme": obj({
        **SUMMARY,
        "responsible_name": STR,
        "responsible_position": STR,
        "responsible_phone": STR,
        "outgoing_number": nullable(STR),
        "outgoing_date": nullable(DATE),
        "created_at": DATETIME,
        "sections": {"type": "array", "items": ref("Section")},
        "actions": {"type": "array", "items": ref("Action"),
                    "description": "Переходы, доступные вызывающему пользователю"},
        "files": {"type": "array", "items": ref("StoredFile"),
                  "description": "Файлы рабочей копии (министерству — только до первого "
                                 "направления)"},
    }),
    "ProgrammeList": page_of("ProgrammeSummary"),
    "ProgrammeCreate": schema_of(CREATE_PROGRAMME),
    "ProgrammeUpdate": schema_of(UPDATE_PROGRAMME),
    "ActionRequest": schema_of(FIRE_ACTION),
    "ActionResult": obj({"event": ref("HistoryEntry"), "programme": ref("Programme")}),
    "HistoryEntry": obj({
        "seq": INT, "at": DATETIME, "trigger": STR, "trigger_label": STR,
        "from_state": enum(ProgrammeState), "from_state_label": STR,
        "to_state": enum(ProgrammeState), "to_state_label": STR,
        "reason": STR, "revision_number": INT, "actor": ref("Person"),
        "on_behalf_of": {**nullable(ref("Person")),
                         "description": "За кого действовал замещающий (null — за себя)"},
        "hash": {**STR, "description": "SHA-256 цепочки истории"},
    }),
    "DeletedDraft": DeletedDraft.model_json_schema(),
    "History": obj({"items": {"type": "array", "items": ref("HistoryEntry")}}),
    "RemarkReply": obj({
        "id": INT, "action": enum(("comment", "answer", "resolve", "reopen")), "body": STR,
        "author": ref("Person"), "created_at": DATETIME,
    }),
    "Remark": obj({
        "id": INT, "programme_id": INT, "revision_number": nullable(INT), "requirement_id": INT,
        "requirement_position": nullable(INT), "visibility": enum(RemarkVisibility),
        "visibility_label": STR, "state": enum(RemarkState), "state_label": STR, "body": STR,
        "author": ref("Person"), "created_at": DATETIME, "updated_at": DATETIME,
        "replies": {"type": "array", "items": ref("RemarkReply")},
    }),
    "RemarkList": obj({"items": {"type": "array", "items": ref("Remark")}}),
    "RemarkCreate": schema_of(CREATE_REMARK),
    "RemarkMessage": schema_of(REQUIRED_BODY),
    "RemarkDecision": schema_of(OPTIONAL_BODY),
    "Assessment": obj({
        "id": INT, "programme_id": INT, "revision_number": INT, "requirement_id": INT,
        "requirement_position": nullable(INT), "verdict": enum(Verdict), "verdict_label": STR,
        "comment": STR, "assessor": ref("Person"), "assessed_at": DATETIME,
        "on_behalf_of": nullable(ref("Person")),
        "carried_from_revision": {**nullable(INT), "description":
                                  "Оценка перенесена из этой редакции (раздел не менялся)"},
    }),
    "AssessmentList": obj({"revision_number": INT,
                           "items": {"type": "array", "items": ref("Assessment")}}),
    "AssessmentRequest": schema_of(ASSESS),
    "RevisionSection": obj({"requirement_id": INT, "position": nullable(INT), "text": STR}),
    "Revision": obj({
        "programme_id": INT, "number": INT, "created_at": DATETIME,
        "created_by": nullable(ref("Person")),
        "sections": {"type": "array", "items": ref("RevisionSection")},
        "files": {"type": "array", "items": ref("StoredFile"),
                  "description": "Файлы, с которыми редакция направлена"},
    }),
    "Letter": obj({
        "id": INT, "kind": enum(LetterKind), "kind_label": STR, "state": enum(LetterState),
        "state_label": STR, "version": INT, "programme_id": nullable(INT),
        "campaign_id": nullable(INT), "municipality": nullable(ref("Municipality")),
        "addressee": STR, "heading": STR, "salutation": STR, "body": STR,
        "reply_to_number": nullable(STR), "reply_to_date": nullable(DATE),
        "executor_name": STR, "executor_phone": STR,
        "number": {**nullable(STR), "description": "Регистрационный номер, например 23/6667"},
        "registered_on": nullable(DATE), "signatory": nullable(ref("Person")),
        "signed_at": nullable(DATETIME), "dispatched_at": nullable(DATETIME),
        "verification_code": STR, "pdf_available": BOOL, "pdf_sha256": nullable(STR),
        "created_at": DATETIME, "updated_at": DATETIME,
    }),
    "LetterList": page_of("Letter"),
    "SignRequest": schema_of(SIGN_LETTER),
    # Route API shapes (pydantic models, web/api/shapes.py).
    **shape_components(),
    **{model.__name__: pydantic_schema(model) for model in JOB_MODELS},
}

RESPONSES = {
    "BadRequest": "Некорректный запрос: не JSON, неверный тип, лишнее или отсутствующее поле",
    "Unauthorized": "Нет токена, токен неизвестен, отозван или истёк",
    "Forbidden": "Действие не разрешено роли пользователя, или роль требует второго фактора "
                 "(second_factor_required), а он не подключён",
    "NotFound": "Объект не найден или принадлежит другому муниципалитету",
    "Conflict": "Версия устарела (stale_version) или переход невозможен в текущем состоянии",
    "TooLarge": "Тело запроса слишком велико",
    "GuardFailed": "Условия перехода не выполнены; причины в error.reasons",
    "TooManyRequests": "Слишком много неудачных попыток входа; ждать error.retry_after секунд "
                       "(заголовок Retry-After)",
}


def pydantic_schemas(models) -> dict:
    """Component schemas of pydantic models, their nested models as components too."""
    result = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        result.update(schema.pop("$defs", {}))
        result[model.__name__] = schema
    return result


SCHEMAS.update(pydantic_schemas(CAMPAIGN_MODELS))


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def errors(*names: str) -> dict:
    status = {"BadRequest": "400", "Unauthorized": "401", "Forbidden": "403",
              "NotFound": "404", "Conflict": "409", "TooLarge": "413", "GuardFailed": "422",
              "TooManyRequests": "429"}
    return {status[n]: {"$ref": f"#/components/responses/{n}"} for n in names}


def ok(schema_name: str, description: str = "Успешно", status: str = "200") -> dict:
    return {status: {"description": description, "content": json_content(ref(schema_name))}}


def body(schema_name: str, required: bool = True) -> dict:
    return {"required": required, "content": json_content(ref(schema_name))}


def path_id(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": ID_SCHEMA}


def query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


PROGRAMME_ID = path_id("programme_id", "Идентификатор программы")
REMARK_ID = path_id("remark_id", "Идентификатор замечания")
LETTER_ID = path_id("letter_id", "Идентификатор письма")
CAMPAIGN_ID = path_id("campaign_id", "Идентификатор кампании")
MINISTRY_ONLY = ("Unauthorized", "Forbidden", "NotFound")


def binary(media: str, description: str) -> dict:
    return {"200": {"description": description,
                    "content": {media: {"schema": {"type": "string", "contentMediaType": media}}}}}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_RESPONSE = {"description": "Содержимое файла (PDF, DOCX или ODT)",
                 "content": {media: {"schema": {"type": "string", "contentMediaType": media}}
                             for media in (*FILE_TYPES.values(), "application/octet-stream")}}
PAGING = [
    query("page", {**ID_SCHEMA, "default": 1}, "Номер страницы, с 1"),
    query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                       "default": DEFAULT_PER_PAGE}, f"Размер страницы, не больше {MAX_PER_PAGE}"),
]
READ_ERRORS = ("Unauthorized",)
WRITE_ERRORS = ("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "TooLarge")


def op(op_id: str, summary: str, responses: dict, *, tags: tuple[str, ...], **extra) -> dict:
    if extra.get("security") != [] and "403" not in responses:
        # A signatory or administrator without a second factor is refused everywhere.
        responses = {**responses, **errors("Forbidden")}
    return {"operationId": op_id, "summary": summary, "tags": list(tags), "responses": responses,
            **extra}


def remark_action(op_id: str, summary: str, schema_name: str, required: bool) -> dict:
    return {
        "parameters": [PROGRAMME_ID, REMARK_ID],
        "post": op(op_id, summary, {**ok("Remark"), **errors(*WRITE_ERRORS)},
                   tags=("remarks",), requestBody=body(schema_name, required)),
    }


PATHS = {
    "/openapi.json": {
        "get": op("getOpenApi", "Этот документ OpenAPI",
                  {"200": {"description": "Документ OpenAPI 3.1",
                           "content": json_content({"type": "object"})}},
                  tags=("meta",), security=[]),
    },
    "/auth/token": {
        "post": op("issueToken", "Получить токен доступа (действует 12 часов)",
                   {**ok("Token", "Токен выдан", "201"),
                    **errors("BadRequest", "Unauthorized", "Forbidden", "TooLarge",
                             "TooManyRequests")},
                   tags=("auth",), security=[], requestBody=body("TokenRequest")),
        "delete": op("revokeToken", "Отозвать текущий токен",
                     {"204": {"description": "Токен отозван"}, **errors("Unauthorized")},
                     tags=("auth",)),
    },
    "/auth/me": {
        "get": op("getMe", "Пользователь, которому выдан токен",
                  {**ok("Me"), **errors("Unauthorized")}, tags=("auth",)),
    },
    "/programmes": {
        "get": op("listProgrammes", "Программы, видимые пользователю",
                  {**ok("ProgrammeList"), **errors("BadRequest", "Unauthorized")},
                  tags=("programmes",), parameters=[
                      query("state", enum(ProgrammeState), "Состояние программы"),
                      query("campaign_id", ID_SCHEMA, "Кампания"),
                      query("municipality", {"type": "string", "maxLength": 64},
                            "Код муниципалитета"),
                      *PAGING,
                  ]),
        "post": op("createProgramme", "Создать черновик программы (специалист муниципалитета)",
                   {**ok("Programme", "Черновик создан", "201"),
                    **errors("BadRequest", "Unauthorized", "Forbidden", "Conflict", "TooLarge")},
                   tags=("programmes",), requestBody=body("ProgrammeCreate")),
    },
    "/programmes/{programme_id}": {
        "parameters": [PROGRAMME_ID],
        "get": op("getProgramme", "Программа с разделами и доступными действиями",
                  {**ok("Programme"), **errors("Unauthorized", "NotFound")},
                  tags=("programmes",)),
        "patch": op("updateProgramme", "Изменить черновик (нужна текущая version)",
                    {**ok("Programme"), **errors(*WRITE_ERRORS)},
                    tags=("programmes",), requestBody=body("ProgrammeUpdate")),
        "delete": op("deleteDraft",
                     "Удалить черновик, ни разу не направлявшийся в министерство "
                     "(специалист муниципалитета); направленную программу — только отозвать",
                     {**ok("DeletedDraft", "Черновик удалён"), **errors(*WRITE_ERRORS)},
                     tags=("programmes",),
                     parameters=[query("version", ID_SCHEMA,
                                       "Версия, которую видел клиент (необязательно)")]),
    },
    "/programmes/{programme_id}/actions/{trigger}": {
        "parameters": [
            PROGRAMME_ID,
            {"name": "trigger", "in": "path", "required": True,
             "description": "Переход; неизвестный — 404 unknown_action", "schema": enum(TRIGGERS)},
        ],
        "post": op("fireAction", "Выполнить переход программы",
                   {**ok("ActionResult"), **errors(*WRITE_ERRORS, "GuardFailed")},
                   tags=("programmes",), requestBody=body("ActionRequest")),
    },
    "/programmes/{programme_id}/history": {
        "parameters": [PROGRAMME_ID],
        "get": op("getHistory", "История переходов программы",
                  {**ok("History"), **errors("Unauthorized", "NotFound")},
                  tags=("programmes",)),
    },
    "/programmes/{programme_id}/revisions/{number}": {
        "parameters": [PROGRAMME_ID, path_id("number", "Номер редакции, с 1")],
        "get": op("getRevision", "Зафиксированная редакция программы",
                  {**ok("Revision"), **errors("Unauthorized", "NotFound")},
                  tags=("programmes",)),
    },
    "/programmes/{programme_id}/files/{file_id}": {
        "parameters": [PROGRAMME_ID, path_id("file_id", "Идентификатор файла рабочей копии")],
        "get": op("getProgrammeFile", "Файл рабочей копии программы (вложение)",
                  {"200": FILE_RESPONSE, **errors("Unauthorized", "NotFound")},
                  tags=("programmes",)),
    },
    "/programmes/{programme_id}/revisions/{number}/files/{revision_file_id}": {
        "parameters": [PROGRAMME_ID, path_id("number", "Номер редакции, с 1"),
                       path_id("revision_file_id", "Идентификатор файла редакции")],
        "get": op("getRevisionFile", "Файл, с которым направлена редакция (вложение)",
                  {"200": FILE_RESPONSE, **errors("Unauthorized", "NotFound")},
                  tags=("programmes",)),
    },
    "/programmes/{programme_id}/remarks": {
        "parameters": [PROGRAMME_ID],
        "get": op("listRemarks", "Замечания (муниципалитету — только внешние)",
                  {**ok("RemarkList"), **errors("Unauthorized", "NotFound")},
                  tags=("remarks",)),
        "post": op("createRemark", "Добавить замечание (назначенный эксперт)",
                   {**ok("Remark", "Замечание добавлено", "201"), **errors(*WRITE_ERRORS)},
                   tags=("remarks",), requestBody=body("RemarkCreate")),
    },
    "/programmes/{programme_id}/remarks/{remark_id}/answer": remark_action(
        "answerRemark", "Ответить на замечание (муниципалитет)", "RemarkMessage", True),
    "/programmes/{programme_id}/remarks/{remark_id}/resolve": remark_action(
        "resolveRemark", "Снять замечание (эксперт)", "RemarkDecision", False),
    "/programmes/{programme_id}/remarks/{remark_id}/reopen": remark_action(
        "reopenRemark", "Вернуть замечание в работу (эксперт)", "RemarkDecision", False),
    "/programmes/{programme_id}/remarks/{remark_id}/comments": {
        "parameters": [PROGRAMME_ID, REMARK_ID],
        "post": op("commentRemark", "Комментарий в обсуждении замечания",
                   {**ok("Remark", "Комментарий добавлен", "201"), **errors(*WRITE_ERRORS)},
                   tags=("remarks",), requestBody=body("RemarkMessage")),
    },
    "/programmes/{programme_id}/assessments": {
        "parameters": [PROGRAMME_ID],
        "get": op("listAssessments", "Оценки требований редакции (только министерство)",
                  {**ok("AssessmentList"),
                   **errors("BadRequest", "Unauthorized", "Forbidden", "NotFound")},
                  tags=("assessments",), parameters=[
                      query("revision", ID_SCHEMA, "Номер редакции; по умолчанию текущая"),
                  ]),
    },
    "/programmes/{programme_id}/assessments/{requirement_id}": {
        "parameters": [PROGRAMME_ID, path_id("requirement_id", "Идентификатор требования")],
        "put": op("assessRequirement", "Оценить требование в текущей редакции (эксперт)",
                  {**ok("Assessment"), **errors(*WRITE_ERRORS)},
                  tags=("assessments",), requestBody=body("AssessmentRequest")),
    },
    "/letters": {
        "get": op("listLetters", "Письма, видимые пользователю",
                  {**ok("LetterList"), **errors("BadRequest", "Unauthorized")},
                  tags=("letters",), parameters=[
                      query("state", enum(LetterState), "Состояние письма"),
                      query("kind", enum(LetterKind), "Вид письма"),
                      query("programme_id", ID_SCHEMA, "Программа"),
                      *PAGING,
                  ]),
    },
    "/letters/{letter_id}": {
        "parameters": [LETTER_ID],
        "get": op("getLetter", "Реквизиты и текст письма",
                  {**ok("Letter"), **errors("Unauthorized", "NotFound")}, tags=("letters",)),
    },
    "/letters/{letter_id}/pdf": {
        "parameters": [LETTER_ID],
        "get": op("getLetterPdf", "Подписанный PDF письма (вложение)",
                  {"200": {"description": "PDF с электронной подписью",
                           "content": {"application/pdf": {
                               "schema": {"type": "string", "contentMediaType": "application/pdf"}}}},
                   **errors("Unauthorized", "NotFound"),
                   "409": {"description": "PDF ещё не сформирован (not_rendered)",
                           "content": json_content(ref("Error"))}},
                  tags=("letters",)),
    },
    "/campaigns/{campaign_id}/status": {
        "parameters": [CAMPAIGN_ID],
        "get": op("getCampaignStatus", "Ход кампании: таблица муниципалитетов и показатели "
                  "(только министерство; муниципалитету — 403 forbidden)",
                  {**ok("CampaignStatus"), **errors(*MINISTRY_ONLY)}, tags=("campaigns",)),
    },
    "/campaigns/{campaign_id}/export.xlsx": {
        "parameters": [CAMPAIGN_ID],
        "get": op("exportCampaign", "Таблица кампании в Excel: лист «Кампания» и лист оценок "
                  "требований (только министерство)",
                  {**binary(XLSX, "Книга Excel (вложение)"), **errors(*MINISTRY_ONLY)},
                  tags=("campaigns",)),
    },
    "/campaigns/{campaign_id}/report.pdf": {
        "parameters": [CAMPAIGN_ID],
        "get": op("getCampaignReport", "Сводная справка по кампании в PDF (только министерство)",
                  {**binary("application/pdf", "Сводная справка (вложение)"),
                   **errors(*MINISTRY_ONLY)},
                  tags=("campaigns",)),
    },
    "/letters/{letter_id}/sign": {
        "parameters": [LETTER_ID],
        "post": op("signLetter", "Подписать и зарегистрировать письмо (подписант) своим "
                   "ключом: PIN-код в поле pin; ошибки pin_required, wrong_pin, pin_locked, "
                   "no_certificate, certificate_owner_mismatch",
                   {**ok("Letter"), **errors(*WRITE_ERRORS, "TooManyRequests")},
                   tags=("letters",), requestBody=body("SignRequest", required=False)),
    },
    "/letters/bulk-sign": {
        "post": op("bulkSignLetters", "Подписать несколько проектов писем одним PIN-кодом "
                   "(подписант; замещающий отсутствующего — с acting_for, письма с «И.о.»): "
                   "регистрируются в указанном порядке одной транзакцией, PDF "
                   "формируются в фоне. Ошибки: not_found, illegal_transition (не проект), "
                   "already_in_batch, forbidden, wrong_pin, pin_locked, pin_required, "
                   "no_certificate, invalid_value",
                   {**ok("JobAccepted", "Письма зарегистрированы; задание принято", "202"),
                    **errors(*WRITE_ERRORS, "TooManyRequests")},
                   tags=("letters",), requestBody=body("BulkSignRequest")),
    },
    "/jobs/{job_id}": {
        "parameters": [path_id("job_id", "Идентификатор задания")],
        "get": op("getJob", "Ход задания: сколько PDF готово, сколько не удалось и почему",
                  {**ok("JobProgress"), **errors("Unauthorized", "NotFound")},
                  tags=("letters",)),
    },
}

ROUTE_ID = path_id("route_id", "Идентификатор маршрута")
TASK_ID = path_id("task_id", "Идентификатор задачи этапа")
PDF_RESPONSE = {"content": {"application/pdf": {
    "schema": {"type": "string", "contentMediaType": "application/pdf"}}}}

PATHS.update({
    "/tasks": {
        "get": op("listTasks", "Открытые задачи вызывающего пользователя по маршрутам "
                  "согласования: этап, программа, срок, за кого (замещение)",
                  {**ok("TaskList"), **errors("Unauthorized", "Forbidden")}, tags=("routes",)),
    },
    "/tasks/{task_id}/decision": {
        "parameters": [TASK_ID],
        "post": op("decideTask", "Решение по задаче этапа (виза): approve, "
                   "approve_with_remarks или reject. Ошибки: task_not_yours (403) — задача не "
                   "ваша; task_closed (409) — решение уже принято (или этап решён другим); "
                   "stale_version (409) — задача изменилась после открытия; "
                   "decision_not_active (409) — решение и его версия маршрута больше не "
                   "действуют (подписано, отклонено, заменено); invalid_input (400) — для "
                   "замечаний и отказа нужен комментарий",
                   {**ok("DecisionResult"), **errors(*WRITE_ERRORS)}, tags=("routes",),
                   requestBody=body("DecisionRequest")),
    },
    "/routes": {
        "get": op("listRoutes", "Маршруты согласования (министерство)",
                  {**ok("RouteList"), **errors("Unauthorized", "Forbidden")}, tags=("routes",)),
    },
    "/routes/{route_id}": {
        "parameters": [ROUTE_ID],
        "get": op("getRoute", "Маршрут с версиями и этапами",
                  {**ok("RouteOut"), **errors("Unauthorized", "Forbidden", "NotFound")},
                  tags=("routes",)),
    },
    "/programmes/{programme_id}/route": {
        "parameters": [PROGRAMME_ID],
        "get": op("getProgrammeRoute", "Маршрут программы: версия, этапы, кто что решил, "
                  "где она сейчас (министерство)",
                  {**ok("ProgrammeRouteOut"), **errors("Unauthorized", "Forbidden", "NotFound")},
                  tags=("routes",)),
    },
    "/programmes/{programme_id}/reassign": {
        "parameters": [PROGRAMME_ID],
        "post": op("reassignProgrammeTask", "Передать задачу программы другому исполнителю "
                   "(администратор, начальник отдела). Ошибки: cannot_act (400) — исполнитель "
                   "не может выполнять этот этап; nothing_to_reassign (409) — открытых задач нет",
                   {**ok("ReassignResult"), **errors(*WRITE_ERRORS)}, tags=("routes",),
                   requestBody=body("ReassignRequest")),
    },
    "/letters/{letter_id}/approval-sheet": {
        "parameters": [LETTER_ID],
        "get": op("getApprovalSheet", "Лист согласования письма-решения (PDF, министерство)",
                  {"200": {"description": "PDF листа согласования", **PDF_RESPONSE},
                   **errors("Unauthorized", "Forbidden", "NotFound")},
                  tags=("routes", "letters")),
    },
})


# Campaigns (web/api/campaigns.py): pydantic models give the schemas.
SCHEMAS.update(campaigns_api.OPENAPI_SCHEMAS)
PATHS.update(campaigns_api.openapi_paths(op, ok, errors, path_id, query, PAGING))
# Notifications (web/api/notifications.py): pydantic models give the schemas.
SCHEMAS.update(pydantic_schemas(notifications_api.MODELS))
PATHS.update(notifications_api.openapi_paths(op, ok, errors, path_id, query, PAGING))


@cache
def spec() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Согласование муниципальных программ: API",
            "version": API_VERSION,
            "description": (
                "Ошибки: JSON {\"error\": {\"code\", \"message\", ...}}; code — стабильный "
                "машинный код, message — по-русски. Объекты другого муниципалитета "
                "отвечают 404, как несуществующие."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": t} for t in
                 ("auth", "programmes", "remarks", "assessments", "letters", "campaigns", "routes",
                  "notifications", "meta")],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "responses": {
                name: {"description": text, "content": json_content(ref("Error"))}
                for name, text in RESPONSES.items()
            },
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "Токен из POST /auth/token"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_document():
    return spec()
