import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ess_portal.settings.local")
application = get_wsgi_application()

# Everything loaded now (Django, the apps, and through the URL configuration every view, form and serializer) lives
# as long as the process: keep it out of the cyclic garbage collector, whose full collections would otherwise walk
# all of it again and again. A page that builds a few thousand objects (the TAM dashboard with 200 accounts) then
# no longer pays a pause of tens of milliseconds on one request in ten.
get_resolver().url_patterns  # noqa: B018 (imports the views)
gc.freeze()
