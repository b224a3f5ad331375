"""Errors raised by the Hypatia client.

The server answers every error with the JSON body of its OpenAPI `ErrorBody` schema,
``{"code": "...", "message": "..."}``, under a 4xx status for the caller's mistakes and 500 for
its own. :class:`HypatiaError` carries that code and message together with where the request
went (method, URL, status, the server's ``X-Request-Id``), so that an error says both what went
wrong and where. Subclasses by status let callers catch the cases they handle
(``except NotFound``) without comparing numbers.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

import httpx

__all__ = [
    "HypatiaError",
    "BadRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "NotAcceptable",
    "Conflict",
    "PayloadTooLarge",
    "UnsupportedMediaType",
    "ServiceUnavailable",
    "ServerError",
    "HypatiaConnectionError",
    "error_from_response",
]


class HypatiaError(Exception):
    """An error answer from a Hypatia server (or no answer at all, see the subclasses).

    Attributes:
        code: the server's stable machine code (``invalid_parameter``, ``not_found``,
            ``unauthorized``, ``sparql_syntax``, ...). For an answer without a JSON error body
            it is ``http_<status>``.
        message: the server's human message.
        status: the HTTP status (0 when no answer arrived).
        method: the request's method.
        url: the request's URL.
        request_id: the server's ``X-Request-Id`` for the request, to find it in the server log.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 0,
        method: str = "",
        url: str = "",
        request_id: Optional[str] = None,
    ) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.method = method
        self.url = url
        self.request_id = request_id
        where = f"{method} {url}".strip()
        status_part = f"{status} " if status else ""
        rid = f" (request {request_id})" if request_id else ""
        super().__init__(f"{where}: {status_part}{code}: {message}{rid}" if where else f"{code}: {message}")


class BadRequest(HypatiaError):
    """400: a parameter, body or query the server refuses (``invalid_parameter``, ``sparql_syntax``, ...)."""


class Unauthorized(HypatiaError):
    """401: a token is needed and none (or an unknown one) was sent."""


class Forbidden(HypatiaError):
    """403: the token's scope is too small, the agent is not the token's, or the graph is protected."""


class NotFound(HypatiaError):
    """404: no such paper, hypothesis, experiment, concept or route."""


class NotAcceptable(HypatiaError):
    """406: the server cannot answer in the media type asked for."""


class Conflict(HypatiaError):
    """409: a change the research layer does not allow (e.g. a status move without an experiment)."""


class PayloadTooLarge(HypatiaError):
    """413: the body is over the endpoint's limit."""


class UnsupportedMediaType(HypatiaError):
    """415: the body's content type is not one the endpoint reads."""


class ServiceUnavailable(HypatiaError):
    """503: busy (another upload), a query timed out, or the embedding model is not loaded.

    ``retry_after`` is the server's ``Retry-After`` in seconds, when it sent one.
    """

    def __init__(self, *args, retry_after: Optional[float] = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class ServerError(HypatiaError):
    """5xx other than 503: the server failed; details are in its log under ``request_id``."""


class HypatiaConnectionError(HypatiaError):
    """No answer: the server could not be reached, or the connection failed or timed out."""


_BY_STATUS: Dict[int, Type[HypatiaError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    406: NotAcceptable,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    503: ServiceUnavailable,
}


def error_from_response(response: httpx.Response) -> HypatiaError:
    """The exception for an error answer, read from its ``ErrorBody`` when it has one.

    The body must already be read (the client reads error bodies of streamed requests before
    calling this).
    """
    status = response.status_code
    code = f"http_{status}"
    message = response.reason_phrase or "error"
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        code = body["code"]
        message = str(body.get("message", message))
    elif response.text:
        message = response.text[:500]
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else HypatiaError)
    kwargs = dict(
        status=status,
        method=response.request.method,
        url=str(response.request.url),
        request_id=response.headers.get("x-request-id"),
    )
    if cls is ServiceUnavailable:
        retry = response.headers.get("retry-after")
        try:
            retry_after = float(retry) if retry is not None else None
        except ValueError:
            retry_after = None
        return ServiceUnavailable(code, message, retry_after=retry_after, **kwargs)
    return cls(code, message, **kwargs)
