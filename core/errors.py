"""Errors NN Lab shows to people.

Every error is an `NNLabError` and also the matching built-in, so callers that know nothing of NN Lab
still catch them (`except ValueError`). Messages say what was wrong, what was expected, what was
received and how to fix it; pages show them with `st.error` as they are.
"""

from __future__ import annotations


class NNLabError(Exception):
    """Base class of every error that a page shows to its user."""


class DataFormatError(NNLabError, ValueError):
    """A file or array is not in the format it claims to be (bad header, truncated, NaNs, ...)."""


class UploadTooLarge(DataFormatError):
    """An upload refused from its files' count or sizes alone, before any was read (the page releases them)."""


class DatasetUnavailable(NNLabError, FileNotFoundError):
    """A dataset's files are not on this machine; the message says which files to put where."""


class InvalidSpecError(NNLabError, ValueError):
    """A model spec or training configuration breaks a rule (unknown activation, too many parameters...)."""


class NotTrainedError(NNLabError, RuntimeError):
    """Asked for the weights or outputs of a model that has not been trained yet."""


class FolderNotAllowed(NNLabError, PermissionError):
    """A folder typed into a page is outside what the server lets pages read (or typing folders is off)."""
