"""The only package that imports aiohttp.web: the documented HTTP API and the viewer page."""
