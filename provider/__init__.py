"""The component package (`PulumiPlugin.yaml`, `__main__.py`) and its host (`host.py`)."""
