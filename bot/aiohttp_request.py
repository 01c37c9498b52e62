"""PTB's requests to the Bot API over aiohttp: HTTPXRequest's contract at a fraction of its CPU.

Every turn makes one to three Bot API calls. Through httpx each costs about 0.8 ms of CPU on
the development machine, through aiohttp about 0.2 ms (`python bench/http_client.py`), and a
turn's CPU is what limits how many customers one worker serves. PTB's BaseRequest still does
the rest: it builds the request, parses the answer and turns error codes into its exceptions.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's own defaults for the bot's requests (ApplicationBuilder, HTTPXRequest).
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of keep-alive connections to the Bot API."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = READ_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See BaseRequest.do_request: (status, body), or TimedOut / NetworkError."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp has no write timeout: a body is written within the read timeout's wait.
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's connect covers waiting for a pooled connection as well as opening one.
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            # The class name says what happened when the message is empty.
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields, as HTTPXRequest sends them; multipart when there are files to upload."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
