from django.core.asgi import get_asgi_application

from .settings import settings_module_default

settings_module_default()
application = get_asgi_application()
