"""The HTTP decision service (`repartition servir`): an ASGI application, its form and its decision log.

Needs the ``service`` extra (Starlette, uvicorn): ``pip install 'repartition[service]'``.
"""

from .app import DEFAULT_MAX_BATCH, DEFAULT_MAX_BODY, create_app

__all__ = ["create_app", "DEFAULT_MAX_BATCH", "DEFAULT_MAX_BODY"]
