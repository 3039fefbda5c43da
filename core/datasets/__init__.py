"""Datasets: bundled, generated and external, plus the file readers and the split helper.

from core.datasets import load_dataset, list_datasets, load_idx, load_cifar_batch
"""

from core.datasets.base import Dataset, make_dataset
from core.datasets.readers import load_cifar_batch, load_csv, load_idx, load_npz
from core.datasets.registry import (
    DATASETS,
    DatasetInfo,
    dataset_info,
    dataset_options,
    is_available,
    list_datasets,
    load_dataset,
)
from core.datasets.split import Split, split_dataset, split_indices, subsample_indices
from core.datasets.uploads import UPLOAD, dataset_from_files, infer_task, upload_options

__all__ = [
    "DATASETS",
    "UPLOAD",
    "Dataset",
    "DatasetInfo",
    "Split",
    "dataset_from_files",
    "dataset_info",
    "dataset_options",
    "is_available",
    "list_datasets",
    "load_cifar_batch",
    "load_csv",
    "load_dataset",
    "load_idx",
    "load_npz",
    "make_dataset",
    "split_dataset",
    "split_indices",
    "subsample_indices",
    "infer_task",
    "upload_options",
]
