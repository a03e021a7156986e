"""Request size limits, enforced before anything of the body is kept.

- A body larger than ``ESS_MAX_REQUEST_BYTES`` (its Content-Length) is refused before a byte of it is read.
- Each uploaded file is counted as it arrives, by the first upload handler, before the next one writes it to
  memory or a temporary file: past ``ESS_MAX_UPLOAD_BYTES`` the request stops there.
- Django's own limits: the body without its files (``DATA_UPLOAD_MAX_MEMORY_SIZE``), files per request
  (``DATA_UPLOAD_MAX_NUMBER_FILES``) and fields per request (``DATA_UPLOAD_MAX_NUMBER_FIELDS``).

Every refusal is a 413 saying which limit was passed (JSON under /api/, a page elsewhere), answered before any
view runs, so nothing is half-stored. The reverse proxy and gunicorn hold the outer limits (docs/operations.md,
gunicorn.conf.py).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render


class UploadTooLarge(RequestDataTooBig):
    """One uploaded file passed the limit (a SuspiciousOperation, so anywhere uncaught it is still a 4xx)."""

    def __init__(self, file_name: str):
        super().__init__(
            f"“{file_name}” is larger than {_megabytes(settings.ESS_MAX_UPLOAD_BYTES)}, the most a file may be."
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def refusal_message(error: Exception) -> str | None:
    """What to tell the person whose request passed a limit; None for any other error."""
    if isinstance(error, UploadTooLarge):
        return str(error)
    if isinstance(error, RequestDataTooBig):
        size = _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return f"The form is too large: at most {size} besides its files may be sent at once."
    if isinstance(error, TooManyFilesSent):
        return f"Too many files at once: at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} may be sent in one request."
    if isinstance(error, TooManyFieldsSent):
        return f"Too many fields at once: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} may be sent in one request."
    return None


class LimitedUploadHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: passes each chunk on only while the file stays under the limit."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0
        if self.content_length is not None and self.content_length > settings.ESS_MAX_UPLOAD_BYTES:
            raise UploadTooLarge(file_name)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.ESS_MAX_UPLOAD_BYTES:
            raise UploadTooLarge(self.file_name)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler builds the file


def too_large(request, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "request_too_large"}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


class RequestSizeLimitMiddleware:
    """Refuses an oversized request with a 413 before any view (and CSRF's reading of the form) sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        message = self._refusal(request)
        if message:
            return too_large(request, message)
        return self.get_response(request)

    def process_exception(self, request, exception):
        # The API parses PUT and PATCH bodies inside the view; a limit passed there ends up here.
        message = refusal_message(exception)
        return too_large(request, message) if message else None

    def _refusal(self, request) -> str | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.ESS_MAX_REQUEST_BYTES:
            return (
                f"The request is too large: at most {_megabytes(settings.ESS_MAX_REQUEST_BYTES)} may be sent at once."
            )
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE and request.content_type != "multipart/form-data":
            return refusal_message(RequestDataTooBig())  # a body without files (a form, JSON) is all fields
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST  # parse now, through the upload handlers, while a refusal can still be clean  # noqa: B018
            except (RequestDataTooBig, TooManyFilesSent, TooManyFieldsSent) as error:
                return refusal_message(error)
            except MultiPartParserError:
                pass  # a malformed body: the view sees no data, as it would have (after its own sign-in checks)
        return None
