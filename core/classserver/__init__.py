"""The class server: where students' trainings run (the Dask cluster) and how it is secured."""
