"""Imported by every training worker as it starts (`dask worker --preload core.worker_warmup`): the modules a
scikit-learn training needs, loaded once, so the first student a worker serves does not wait for them (measured:
the first job on a fresh worker took 1.5-2 s longer). TensorFlow is not loaded here: ~500 MB and 5-10 s of CPU
per worker, for the few lessons that use Keras; the first Keras job on a worker pays it."""

import sklearn.neural_network  # noqa: F401

import core.models.sklearn_backend  # noqa: F401
import core.training_job  # noqa: F401
