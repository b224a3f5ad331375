"""Python client for Hypatia, a knowledge-graph research database.

>>> from hypatia_client import HypatiaClient
>>> hy = HypatiaClient("http://127.0.0.1:7878")          # token from HYPATIA_TOKEN, if set
>>> hit = hy.search("DNA methylation and ageing", k=1).hits[0]
>>> hit.citation.paper.title, hit.citation.quote

The retriever adapters live in :mod:`hypatia_client.langchain` and
:mod:`hypatia_client.llamaindex` (extras ``[langchain]`` and ``[llamaindex]``);
:class:`ResultsWatcher` (and the ``hypatia-watch`` command) logs an experiment loop's
``results.tsv`` as it grows.
"""

__version__ = "0.1.0"

from .client import DEFAULT_BASE_URL, OPERATIONS, AsyncHypatiaClient, HypatiaClient, Operation  # noqa: E402
from .errors import (  # noqa: E402
    BadRequest,
    Conflict,
    Forbidden,
    HypatiaConnectionError,
    HypatiaError,
    NotAcceptable,
    NotFound,
    PayloadTooLarge,
    ServerError,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
)
from .ingest import UploadProgress  # noqa: E402
from .models import *  # noqa: E402,F401,F403
from .models import __all__ as _models_all  # noqa: E402
from .sparql import SparqlResults  # noqa: E402
from .watch import AsyncResultsWatcher, ResultsWatcher, WatchStep  # noqa: E402

__all__ = [
    "__version__",
    "HypatiaClient",
    "AsyncHypatiaClient",
    "DEFAULT_BASE_URL",
    "OPERATIONS",
    "Operation",
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
    "UploadProgress",
    "SparqlResults",
    "ResultsWatcher",
    "AsyncResultsWatcher",
    "WatchStep",
    *_models_all,
]
