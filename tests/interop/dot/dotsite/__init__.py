"""A minimal Django project serving Django OAuth Toolkit for baton's interop tests."""
