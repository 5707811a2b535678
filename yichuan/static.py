"""Static files as production serves them (STORAGES["staticfiles"] in settings/production.py)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage

# More names than the templates hold: a name past it is looked up each time, not kept.
URLS_KEPT = 1000


class PortalStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, hashed files. The manifest does not change while a process
    runs, so each name's URL is looked up in it once: the page shell's eight ``{% static %}``
    tags cost 900 function calls a page, most of them in urlsplit and urljoin."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = super().url(name)
            if len(self._urls) < URLS_KEPT:
                self._urls[name] = url
            return url

    def post_process(self, *args, **kwargs):
        self._urls.clear()  # collectstatic writes a new manifest
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
