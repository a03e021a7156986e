"""Settings package: base (shared), local (development, the default), test, production."""
