"""Unit tests of the sample service; they use only the standard library and pytest."""
