"""Errors that more than one preflight module raises or catches, in a module that imports nothing,
so the light modules (the judge's client side) and the heavy ones (the pack's evaluation) share
them without importing each other."""


class PackConfigError(Exception):
    """The `--policy-pack-config` file names an unknown policy or level."""
